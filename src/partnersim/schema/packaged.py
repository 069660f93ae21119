"""The scenario and sweep files shipped with partnersim, addressable by name.

An installed wheel carries the repository's ``scenarios/*.toml`` and ``sweeps/*.toml`` as
package data (``partnersim/scenarios/`` and ``partnersim/sweeps/``, mapped there at build time
by ``[tool.hatch.build.targets.wheel.force-include]`` in ``pyproject.toml``). In a clone, whose
editable install has no such folders, the same names resolve to the repository's own folders:
there is one copy of each file, wherever partnersim is run from.

A reference is resolved as a path first (relative to ``relative_to``, ``.toml`` optional), so a
file of the user's always wins; only a bare name that is no file (``mission_driven``,
``mission_driven.toml``) falls back to the packaged file of that name::

    >>> find("scenarios", "mission_driven").name
    'mission_driven.toml'
    >>> "westminster_default" in catalogue("scenarios")
    True
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Kind = Literal["scenarios", "sweeps"]
"""The two kinds of shipped file, named as their folders."""

_PACKAGE = Path(__file__).resolve().parent.parent


def folder(kind: Kind) -> Path:
    """The folder holding the shipped files of ``kind``.

    ``partnersim/<kind>/`` inside an installed wheel; in a clone (an editable install, where the
    package is ``src/partnersim``), the repository's ``<kind>/`` folder.
    """
    shipped = _PACKAGE / kind
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parent.parent / kind


def default_folder(kind: Kind) -> Path:
    """Where the dashboard looks for files to offer.

    ``./<kind>`` if the working directory has one (a clone, a user's project), else the shipped
    folder.
    """
    here = Path(kind)
    return here if here.is_dir() else folder(kind)


@dataclass(frozen=True, slots=True)
class Entry:
    """One shipped file: its name (the file's stem), path and one-line description."""

    name: str
    path: Path
    description: str


def catalogue(kind: Kind) -> dict[str, Entry]:
    """The shipped files of ``kind`` by name, sorted, each with its ``description`` key.

    The description is read as written (not validated): ``partnersim validate`` and the tests
    check the files themselves.
    """
    out = {}
    directory = folder(kind)
    for path in sorted(directory.glob("*.toml")) if directory.is_dir() else []:
        try:
            description = tomllib.loads(path.read_text(encoding="utf-8")).get("description", "")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            description = ""
        out[path.stem] = Entry(path.stem, path, str(description))
    return out


def find(kind: Kind, ref: str | Path, relative_to: Path | None = None) -> Path | None:
    """Resolve a reference to a file: a path if it is one, else a shipped file's name.

    Args:
        kind: which shipped files a bare name may refer to.
        ref: a path (absolute, or relative to ``relative_to``; ``.toml`` may be left off) or
            the name of a shipped file, with or without ``.toml``.
        relative_to: the folder a relative path is read from (the working directory if None).

    Returns:
        The file, or None if ``ref`` is neither an existing file nor a shipped name.
    """
    ref = Path(ref)
    candidate = relative_to / ref if relative_to is not None else ref
    tries = [candidate]
    if candidate.name and not candidate.suffix:
        tries.append(candidate.with_suffix(".toml"))
    for path in tries:
        if path.is_file():
            return path
    if len(ref.parts) == 1 and ref.suffix in ("", ".toml"):
        entry = catalogue(kind).get(ref.stem if ref.suffix else ref.name)
        if entry is not None:
            return entry.path
    return None


def not_found(kind: Kind, ref: str | Path) -> str:
    """Say that ``ref`` is neither a file nor a shipped name, listing the shipped names."""
    names = ", ".join(catalogue(kind)) or "none"
    return f"no such file, and no packaged {kind[:-1]} of that name (packaged: {names})"
