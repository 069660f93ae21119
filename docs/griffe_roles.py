"""A Griffe extension: Sphinx cross-reference roles in docstrings shown as code in the API pages.

The docstrings name other objects the Sphinx way (``:func:`~partnersim.runs.runner.run```), which
mkdocstrings would print literally. Each role becomes a code span of the name, shortened to its
last part where the name starts with ``~`` (as Sphinx shows it).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:meth|func|class|mod|data|attr|exc|obj):`(~?)([^`]+)`")


def _plain(match: re.Match[str]) -> str:
    short, name = match.groups()
    return f"`{name.rsplit('.', 1)[-1] if short else name}`"


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:  # noqa: D102
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_plain, obj.docstring.value)
