"""What scenario files and sweep files share: located problems, value checks, TOML reading.

Both kinds of file are TOML whose keys are declared in :mod:`partnersim.schema.levers`, and
both report everything wrong with a file at once, each problem naming its key and, where the
text allows, its line. This module holds the pieces both need:

* :class:`Problem` and :class:`ScenarioError`, the error that carries them (a sweep's
  ``SweepError`` is one);
* :func:`check_value`, why a value is not allowed for a declared parameter;
* :func:`unknown_key`, the message for an unknown key, with a close-match suggestion;
* :func:`load_toml`, reading a file with located errors, and :class:`LineFinder`, the line of
  a key in its text;
* :func:`toml_value`, one value written as TOML.

It imports nothing from the rest of the package but the parameter declarations' type.
"""

from __future__ import annotations

import difflib
import json
import math
import numbers
import re
import stat
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from partnersim.schema.levers import Parameter


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a scenario, located as precisely as the input allows."""

    key: str
    message: str
    line: int | None = None


SHOWN_PROBLEMS = 10
"""Problems listed in an error's message; the rest are counted (all stay in ``problems``)."""


class ScenarioError(ValueError):
    """A scenario (file, dict or keyword arguments) that cannot be used.

    Attributes:
        source: the file (or a description of the input) the problems were found in.
        problems: every problem found, each naming its key.
        via: the files that extend ``source``, nearest first.
    """

    def __init__(self, source: str, problems: list[Problem], via: tuple[str, ...] = ()):
        self.source = source
        self.problems = problems
        self.via = via
        super().__init__(self._render())

    @property
    def key(self) -> str:
        """The key of the first problem."""
        return self.problems[0].key

    def _render(self) -> str:
        lines = []
        for p in self.problems[:SHOWN_PROBLEMS]:
            where = f"{self.source}:{p.line}" if p.line else self.source
            lines.append(f"{where}: {p.key}: {p.message}")
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(
                f"... and {len(self.problems) - SHOWN_PROBLEMS} more problems, not shown "
                "(all are in the error's `problems`)"
            )
        if self.via:
            lines.append(f"  (a parent of {' <- '.join(self.via)}, through `extends`)")
        return "\n".join(lines)


def check_value(param: Parameter, value: Any) -> str | None:
    """Return why ``value`` is not allowed for ``param``, or ``None`` if it is.

    Args:
        param: the parameter's declaration (its kind, bounds, choices and unit).
        value: a value as read from a file or given in code.

    Returns:
        A message naming the allowed values, or ``None``.
    """
    allowed = f"allowed: {param.allowed()} ({param.unit})" if param.unit else param.allowed()
    if param.kind is bool:
        return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
    if param.kind is str:
        if not isinstance(value, str) or (param.choices and value not in param.choices):
            return f"{value!r} is not allowed; {allowed}"
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        wanted = "an integer" if param.kind is int else "a number"
        return f"must be {wanted}, got {type(value).__name__} {value!r}; {allowed}"
    if param.kind is int and not isinstance(value, numbers.Integral):
        return f"must be an integer, got {value!r}; {allowed}"
    number = float(value)  # a Real: compared with the float bounds
    if not math.isfinite(number):
        return f"must be finite, got {value!r}; {allowed}"
    if (param.low is not None and number < param.low) or (
        param.high is not None and number > param.high
    ):
        return f"{value!r} is out of range; {allowed}"
    return None


NAME_LENGTH = 100
"""Longest scenario or sweep name: it names a results folder, and file names are ≤ 255 bytes."""


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a scenario or sweep (it becomes a folder name), or None.

    A name starts with a letter or digit and holds only letters, digits, ``_``, ``-`` and
    ``.``, at most :data:`NAME_LENGTH` characters: no path separators, no ``..`` escapes,
    no hidden folders, no newlines.
    """
    if len(name) > NAME_LENGTH:
        return f"is {len(name)} characters long; at most {NAME_LENGTH} (it names a results folder)"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", name, flags=re.ASCII):
        return (
            f"{name!r} is not allowed: a name starts with a letter or digit and may contain only "
            "letters, digits, '_', '-' and '.' (it names a results folder)"
        )
    return None


def unknown_key(key: str, valid: Iterable[str]) -> str:
    """The message for an unknown ``key``: the closest valid key, if one is close, and all of them.

    Args:
        key: the key as written.
        valid: the keys allowed where it was found.
    """
    valid = list(valid)
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key{hint}. Allowed: {', '.join(valid)}"


MAX_FILE_BYTES = 10_000_000
"""Largest scenario or sweep file read (10 MB), so a wrong file fails at once."""


def load_toml(path: Path, error: type[ScenarioError] = ScenarioError) -> tuple[str, dict[str, Any]]:
    """Return the text and parsed tables of a TOML file.

    Args:
        path: the file.
        error: the error to raise (a sweep file raises its own subclass).

    Raises:
        ScenarioError: (or ``error``) the file is missing, unreadable or malformed; a
            malformed file's problem carries the line the parser names.
    """
    source = str(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise error(source, [Problem("<file>", "no such file")]) from None
    except OSError as exc:  # a symbolic link loop, a name too long, no permission
        raise error(source, [Problem("<file>", f"cannot be read ({exc.strerror})")]) from None
    if stat.S_ISDIR(mode):
        raise error(source, [Problem("<file>", "is a directory, not a file")])
    if not stat.S_ISREG(mode):
        # A FIFO or device would block or never end; only plain files are read.
        raise error(source, [Problem("<file>", "is not a regular file (a FIFO, device or socket)")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise error(
            source,
            [
                Problem(
                    "<file>",
                    f"is {path.stat().st_size:,} bytes; at most {MAX_FILE_BYTES:,} (a scenario or "
                    "sweep file is a few kilobytes)",
                )
            ],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(source, [Problem("<file>", "no such file")]) from None
    except IsADirectoryError:
        raise error(source, [Problem("<file>", "is a directory, not a file")]) from None
    except UnicodeDecodeError:
        raise error(source, [Problem("<file>", "is not UTF-8 text")]) from None
    except OSError as exc:
        raise error(source, [Problem("<file>", f"cannot be read ({exc.strerror})")]) from None
    if text.startswith("\ufeff"):
        raise error(
            source,
            [
                Problem(
                    "<file>",
                    "starts with a byte-order mark (U+FEFF), which TOML does not allow; save it "
                    "as UTF-8 without a BOM",
                    1,
                )
            ],
        )
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        raise error(source, [Problem("<toml>", f"malformed TOML: {exc}", line)]) from None


def load_shipped_or_file(
    ref: str | Path, error: type[ScenarioError]
) -> tuple[Path, str, dict[str, Any]]:
    """Read a sweep or optimisation file: a path, or the name of one shipped with partnersim.

    Returns:
        The file, its text and its parsed tables.

    Raises:
        ScenarioError: (of type ``error``) the file is missing, unreadable or not TOML.
    """
    from partnersim.schema import packaged

    path = packaged.find("sweeps", ref) or Path(ref)
    if not path.exists():
        raise error(str(path), [Problem("<file>", packaged.not_found("sweeps", path))])
    text, raw = load_toml(path, error)
    return path, text, raw


class LineFinder:
    """Locate keys in a TOML text, for messages (best effort: None when not found).

    Call it with a table name (None for the top level) and a key; :meth:`in_point` looks in
    a sweep file's ``[[points]]`` tables. An empty text (input that was not a file) finds
    nothing.
    """

    def __init__(self, text: str):
        self._lines = text.splitlines()
        self._index: dict[tuple, int] | None = None

    def _build(self) -> dict[tuple, int]:
        """One pass over the text: the first line of each (table, key), header and point key.

        Built once, so that locating n keys costs time linear in the text, not n passes.
        """
        index: dict[tuple, int] = {}
        header = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]")
        points = re.compile(r"^\s*\[\[\s*points\s*\]\]")
        assignment = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([^=\s"']+))\s*=""")
        current: str | None = None
        point = -1
        for number, line in enumerate(self._lines, start=1):
            if points.match(line):
                point += 1
                current = "[[points]]"
                continue
            m = header.match(line)
            if m:
                current = m.group(1)
                index.setdefault(("header", current), number)
                continue
            m = assignment.match(line)
            if m:
                key = next(g for g in m.groups() if g is not None)
                index.setdefault(("key", current, key), number)
                if current == "[[points]]":
                    index.setdefault(("point", point, key), number)
        return index

    def _lookup(self, *entry: Any) -> int | None:
        if self._index is None:
            self._index = self._build()
        return self._index.get(entry)

    def __call__(self, section: str | None, key: str) -> int | None:
        """The line of ``key`` inside table ``section``, or of the header of table ``key``.

        Args:
            section: the table's name, or None for the top level.
            key: the key (at the top level, also a table's name).
        """
        found = self._lookup("key", section, str(key))
        if section is None:
            header = self._lookup("header", str(key))
            if header is not None and (found is None or header < found):
                return header
        return found

    def in_point(self, index: int, key: str) -> int | None:
        """Locate ``key`` in the ``index``-th ``[[points]]`` table (0-based)."""
        return self._lookup("point", index, str(key))


def toml_value(value: Any) -> str:
    """One scalar value (bool, int, float or str) written as TOML.

    Raises:
        TypeError: for any other type.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
