"""Scenario files: a validated, frozen, hashable set of lever, uncertainty and scale values.

A scenario file is TOML::

    name = "mission_driven"
    description = "All eight recommendations from day one."
    extends = "westminster_default.toml"   # optional: a path relative to this file, or
                                           # the name of a packaged scenario

    [run]
    steps = 40

    [levers]
    orchestration = 0.8

    [start_steps]          # optional per-lever start quarters
    devolution = 4

    [uncertainties]
    business_risk_appetite = 0.5

    [scale]
    n_businesses = 1000

Every key is declared in :mod:`partnersim.schema.levers`; unknown keys, wrong types, values
out of range and broken cross-field rules raise one :class:`ScenarioError` that names the file,
the key, the line and the allowed values. Values not set are inherited from the parent named by
``extends`` and, at the root, from the declared defaults (the status quo). This module never
imports the model.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from partnersim.data import assumption_table as data_assumption_table
from partnersim.schema import packaged
from partnersim.schema.levers import (
    LEVER_NAMES,
    PARAMETERS,
    RULES,
    SECTIONS,
    Parameter,
    Section,
    timing_lever,
)
from partnersim.schema.problems import (
    LineFinder,
    Problem,
    ScenarioError,
    check_value,
    load_toml,
    name_problem,
    toml_value,
    unknown_key,
)

SCHEMA_VERSION = 1
MAX_EXTENDS_DEPTH = 50
"""Most files an ``extends`` chain may pass through (each is read and validated in turn)."""
"""Bumped when the meaning of a scenario value changes, so old hashes stop matching."""

_TOP_LEVEL = ("name", "description", "extends")
_TABLES = (*(s.value for s in Section), "start_steps")


@dataclass(frozen=True, slots=True, eq=False)
class Scenario:
    """A validated, immutable scenario.

    Construct with :meth:`from_toml`, :meth:`from_dict` or :meth:`from_kwargs`; derive variants
    with :meth:`evolve`. Parameter values are attributes (``scenario.orchestration``).

    Attributes:
        name: short name, used in result folders and tables.
        description: what question the scenario answers.
        values: every declared parameter's resolved value.
        start_steps: per-lever start quarters set explicitly (they override ``start_step``).
        path: the file it was read from, if any.
        assumptions: constants of ``data/assumptions.toml`` this scenario sets, by dotted name
            (``contracting.hurdle``); every other constant keeps its shipped value.
    """

    name: str
    description: str
    values: Mapping[str, Any]
    start_steps: Mapping[str, int] = field(default_factory=dict)
    path: Path | None = None
    assumptions: Mapping[str, float] = field(default_factory=dict)

    # -- constructors -------------------------------------------------------------------------

    @classmethod
    def default(cls) -> Scenario:
        """Return the status-quo scenario built from the declared defaults alone."""
        return cls.from_dict({"name": "defaults"}, source="<defaults>")

    @classmethod
    def from_toml(cls, path: str | Path, *, _seen: tuple[Path, ...] = ()) -> Scenario:
        """Read, resolve (``extends``) and validate a scenario file.

        ``path`` is a file or, if no such file exists, the name of a scenario shipped with
        partnersim (``Scenario.from_toml("mission_driven")``; ``partnersim scenarios`` lists
        them). A parent named by ``extends`` is found the same way: a path relative to the
        file (``.toml`` optional) first, else a packaged scenario's name. It is loaded and
        validated first, so its problems are reported against its own file; the child's tables
        then override the parent's values key by key.

        Raises:
            ScenarioError: the file or a parent is missing, malformed or invalid, or the
                ``extends`` chain has a cycle.
        """
        path = Path(path)
        try:
            resolved = path.resolve()
        except (OSError, RuntimeError) as exc:  # a symbolic link loop (3.12: RuntimeError)
            reason = getattr(exc, "strerror", None) or "a symbolic link loop"
            raise ScenarioError(
                str(path), [Problem("<file>", f"cannot be read ({reason})")]
            ) from None
        if not path.is_file():
            found = packaged.find("scenarios", path)
            if found is None:
                if not path.exists():
                    raise ScenarioError(
                        str(path), [Problem("<file>", packaged.not_found("scenarios", path))]
                    )
            else:
                path = found
                resolved = path.resolve()
        if len(_seen) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError(
                str(path),
                [
                    Problem(
                        "extends",
                        f"the `extends` chain is deeper than {MAX_EXTENDS_DEPTH} files; "
                        "a scenario inherits from a few parents at most",
                    )
                ],
            )
        if resolved in _seen:
            cycle = " -> ".join(p.name for p in (*_seen, resolved))
            raise ScenarioError(str(path), [Problem("extends", f"inheritance cycle: {cycle}")])
        text, data = load_toml(path)
        lines = LineFinder(text)
        parent_ref = data.pop("extends", None)
        if parent_ref is not None:
            if not isinstance(parent_ref, str) or not parent_ref.strip():
                raise ScenarioError(
                    str(path),
                    [
                        Problem(
                            "extends", "must be the path of a scenario file", lines(None, "extends")
                        )
                    ],
                )
            parent_path = packaged.find("scenarios", parent_ref, relative_to=path.parent)
            if parent_path is None:
                looked = path.parent / parent_ref
                raise ScenarioError(
                    str(path),
                    [
                        Problem(
                            "extends",
                            f"parent scenario {parent_ref!r} not found (looked for {looked}); "
                            + packaged.not_found("scenarios", parent_ref),
                            lines(None, "extends"),
                        )
                    ],
                )
            try:
                parent = cls.from_toml(parent_path, _seen=(*_seen, resolved))
            except ScenarioError as exc:
                if exc.source == str(path):  # a cycle back to this file: already explicit
                    raise
                raise ScenarioError(exc.source, exc.problems, (*exc.via, str(path))) from None
            base = parent.to_dict()
            del base["name"], base["description"]
            if isinstance(data.get("assumptions"), Mapping):  # dotted names, merged one by one
                data["assumptions"] = flatten_assumptions(data["assumptions"])
            for key, value in data.items():
                if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
                    base[key] = {**base[key], **value}
                else:
                    base[key] = value
            data = base
        return cls.from_dict(data, source=str(path), path=path, _lines=lines)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        *,
        source: str = "<dict>",
        path: Path | None = None,
        _lines: LineFinder | None = None,
    ) -> Scenario:
        """Validate a scenario given as nested tables (the parsed form of a file).

        Raises:
            ScenarioError: naming every unknown key, wrong type, out-of-range value or broken
                cross-field rule.
        """
        problems: list[Problem] = []
        lines = _lines or LineFinder("")
        if not isinstance(data, Mapping):
            raise ScenarioError(source, [Problem("<root>", "a scenario must be a table")])
        for key in data:
            if key not in _TOP_LEVEL and key not in _TABLES:
                problems.append(
                    Problem(
                        str(key), unknown_key(str(key), (*_TOP_LEVEL, *_TABLES)), lines(None, key)
                    )
                )
        if "extends" in data:
            problems.append(
                Problem(
                    "extends",
                    "is resolved only when reading a file: use Scenario.from_toml(path), or "
                    "Scenario.from_toml(parent).evolve(...) to change a parent in code",
                    lines(None, "extends"),
                )
            )
        values: dict[str, Any] = {p.name: p.default for p in PARAMETERS.values()}
        for section, params in SECTIONS.items():
            table = data.get(section.value, {})
            if not isinstance(table, Mapping):
                problems.append(Problem(section.value, "must be a table", lines(None, section)))
                continue
            declared = {p.name: p for p in params}
            for key, value in table.items():
                dotted = f"{section.value}.{key}"
                if key not in declared:
                    problems.append(
                        Problem(dotted, _unknown_param(key, section), lines(section, key))
                    )
                    continue
                message = check_value(declared[key], value)
                if message:
                    problems.append(Problem(dotted, message, lines(section, key)))
                else:
                    values[key] = _coerce(declared[key], value)
        start_steps = _check_start_steps(data.get("start_steps", {}), problems, lines)
        assumptions = _check_assumptions(data.get("assumptions", {}), problems, lines)
        name = data.get("name", path.stem if path else "scenario")
        description = data.get("description", "")
        for key, value in (("name", name), ("description", description)):
            if not isinstance(value, str):
                problems.append(Problem(key, "must be a string", lines(None, key)))
        if isinstance(name, str) and (why := name_problem(name)):
            problems.append(Problem("name", why, lines(None, "name")))
        if not problems:
            problems.extend(_cross_field(values, start_steps, lines))
        if problems:
            raise ScenarioError(source, problems)
        # Per-lever starts are kept even when equal to the global start: a child file that
        # moves ``start_step`` must not move a lever its parent pinned explicitly.
        return cls(
            name=name,
            description=description,
            values=MappingProxyType(values),
            start_steps=MappingProxyType(dict(sorted(start_steps.items()))),
            path=path,
            assumptions=MappingProxyType(dict(sorted(assumptions.items()))),
        )

    @classmethod
    def from_kwargs(cls, base: Scenario | None = None, **kwargs: Any) -> Scenario:
        """Build a scenario from flat keyword arguments (lever names), as Mesa tools pass them.

        ``start_steps`` may be given as a mapping. Unknown names raise :class:`ScenarioError`.
        """
        base = base or cls.default()
        return base.evolve(**kwargs)

    # -- derived views ------------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return (self.name, self.description, self.content_hash) == (
            other.name,
            other.description,
            other.content_hash,
        )

    def __hash__(self) -> int:
        return hash((self.name, self.content_hash))

    def __reduce__(self):
        # Read-only mapping proxies do not pickle; rebuild them from plain dicts.
        return _restore, (
            self.name,
            self.description,
            dict(self.values),
            dict(self.start_steps),
            self.path,
            dict(self.assumptions),
        )

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.values.items() if v != PARAMETERS[k].default}
        inner = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        if self.start_steps:
            inner += f", start_steps={dict(self.start_steps)!r}"
        if self.assumptions:
            inner += f", assumptions={dict(self.assumptions)!r}"
        return f"Scenario({self.name!r}{', ' if inner else ''}{inner.lstrip(', ')})"

    @property
    def content_hash(self) -> str:
        """A stable 12-hex-digit hash of every value that affects results (not name or text)."""
        payload = json.dumps(
            {
                "schema": SCHEMA_VERSION,
                "values": dict(sorted(self.values.items())),
                # Only starts that differ from the global one change results.
                "start_steps": {
                    k: v for k, v in sorted(self.start_steps.items()) if v != self.start
                },
                # Present only when set, so scenarios without overrides keep their hashes.
                **({"assumptions": dict(self.assumptions)} if self.assumptions else {}),
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def notes(self) -> list[str]:
        """Settings that are valid but will have no effect (in a run of ``steps`` quarters).

        They are not errors — a sweep may vary ``start_step`` past a short horizon on
        purpose — but a user reading one file should hear about them.
        """
        steps, out = self.steps, []
        out += [
            f"{PARAMETERS[r.parameter].section.value}.{r.parameter}: {r.message()}"
            for r in RULES
            if not r.error and r.broken(self.values)
        ]
        late = [lever for lever in LEVER_NAMES if self.lever_start(lever) >= steps]
        if late:
            which = "every lever" if len(late) == len(LEVER_NAMES) else ", ".join(sorted(late))
            out.append(
                f"{which} starts at or after quarter {steps}, the end of the run "
                f"(run.steps = {steps}): the run is the status quo for "
                + ("them" if len(late) > 1 else "it")
            )
        for p in PARAMETERS.values():
            gate = PARAMETERS.get(p.gated_by) if p.gated_by else None
            if not p.quarter or gate is None or self.values[gate.name] == gate.default:
                continue
            if self.values[p.name] >= steps:
                out.append(
                    f"{gate.section.value}.{gate.name} = {self.values[gate.name]!r} takes effect "
                    f"at quarter {self.values[p.name]} ({p.name}), after the run ends "
                    f"(run.steps = {steps}): it never happens"
                )
        return out

    @property
    def start(self) -> int:
        """The global start quarter of the levers (the timing lever's value)."""
        return self.values[timing_lever().name]

    def lever_start(self, lever: str) -> int:
        """Quarter from which ``lever`` takes its scenario value."""
        return self.start_steps.get(lever, self.start)

    def evolve(self, **changes: Any) -> Scenario:
        """Return a validated copy with some values changed (``name`` and ``description`` too).

        Parameters are named as declared; constants of ``data/assumptions.toml`` by their dotted
        name (``**{"contracting.hurdle": 0.15}``), or all at once as ``assumptions={...}``.

        Raises:
            ScenarioError: if a name is unknown or a value invalid.
        """
        return self._changed(changes, "<keyword arguments>", None)

    def with_options(self, source: str, **changes: Any) -> Scenario:
        """Return a validated copy changed by command-line options (``--steps``).

        Like :meth:`evolve`, but a problem is reported against ``source`` (the option) and
        the copy keeps the file it was read from, so results record where it came from.

        Raises:
            ScenarioError: if a name is unknown or a value invalid, naming ``source``.
        """
        return self._changed(changes, source, self.path)

    def _changed(self, changes: dict[str, Any], source: str, path: Path | None) -> Scenario:
        data = self.to_dict()
        problems = []
        for key, value in changes.items():
            if key in ("name", "description"):
                data[key] = value
            elif key == "start_steps":
                data["start_steps"] = dict(value)
            elif key == "assumptions":
                data["assumptions"] = flatten_assumptions(value)
            elif key in PARAMETERS:
                data.setdefault(PARAMETERS[key].section.value, {})[key] = value
            elif key in data_assumption_table():
                data.setdefault("assumptions", {})[key] = value
            elif "." in key:  # a dotted name: an assumption
                problems.append(Problem(key, unknown_key(key, data_assumption_table())))
            else:
                problems.append(Problem(key, unknown_key(key, (*PARAMETERS, "start_steps"))))
        if problems:
            raise ScenarioError(source, problems)
        return Scenario.from_dict(data, source=source, path=path)

    def to_dict(self) -> dict[str, Any]:
        """Return the scenario as nested tables, every value explicit (no ``extends``)."""
        out: dict[str, Any] = {"name": self.name, "description": self.description}
        for section, params in SECTIONS.items():
            out[section.value] = {p.name: self.values[p.name] for p in params}
        if self.start_steps:
            out["start_steps"] = dict(self.start_steps)
        if self.assumptions:
            out["assumptions"] = dict(self.assumptions)
        return out

    def to_toml(self) -> str:
        """Serialise to TOML; ``Scenario.from_dict(tomllib.loads(s.to_toml()))`` equals ``s``."""
        data = self.to_dict()
        lines = [f"name = {toml_value(data.pop('name'))}"]
        lines.append(f"description = {toml_value(data.pop('description'))}")
        for table, content in data.items():
            lines.append("")
            lines.append(f"[{table}]")
            # Dotted assumption names are written bare (``contracting.hurdle = 0.15``).
            lines.extend(f"{k} = {toml_value(v)}" for k, v in content.items())
        return "\n".join(lines) + "\n"

    def levers(self) -> dict[str, Any]:
        """Return the lever values (the eight levers and ``start_step``)."""
        return {p.name: self.values[p.name] for p in SECTIONS[Section.LEVERS]}


def _restore(
    name: str,
    description: str,
    values: dict[str, Any],
    start_steps: dict[str, int],
    path: Path | None,
    assumptions: dict[str, float],
) -> Scenario:
    return Scenario(
        name,
        description,
        MappingProxyType(values),
        MappingProxyType(start_steps),
        path,
        MappingProxyType(assumptions),
    )


RANGE_KEYS = frozenset({"low", "high"})
"""The keys of a ``{low, high}`` range (a sweep factor), which flattening keeps whole."""


def flatten_assumptions(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """An ``[assumptions]`` table as dotted names, whether written nested or dotted.

    ``{"contracting": {"hurdle": 0.1}}`` and ``{"contracting.hurdle": 0.1}`` both give
    ``{"contracting.hurdle": 0.1}``; later entries win. A ``{low, high}`` range is a value.
    """
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and not set(value) & RANGE_KEYS:
            out.update(flatten_assumptions(value, f"{name}."))
        else:
            out[name] = value
    return out


def _check_assumptions(table: Any, problems: list[Problem], lines: LineFinder) -> dict[str, float]:
    """Validate an ``[assumptions]`` table: known dotted names, numbers inside their bounds."""
    if not isinstance(table, Mapping):
        problems.append(Problem("assumptions", "must be a table", lines(None, "assumptions")))
        return {}
    known = data_assumption_table()
    out = {}
    for name, value in flatten_assumptions(table).items():
        group, _, key = name.rpartition(".")
        where = lines("assumptions", name) or lines(f"assumptions.{group}", key)
        entry = known.get(name)
        if entry is None:
            problems.append(Problem(f"assumptions.{name}", unknown_key(name, known), where))
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            message = f"must be {entry.allowed()}, got {value!r}"
        elif entry.integer and not isinstance(value, int):
            message = f"must be an integer, got {value!r}; allowed: {entry.allowed()}"
        elif not math.isfinite(value) or not entry.low <= value <= entry.high:
            message = f"{value!r} is out of range; allowed: {entry.allowed()}"
        else:
            out[name] = int(value) if entry.integer else float(value)
            continue
        problems.append(Problem(f"assumptions.{name}", message, where))
    return out


# -- validation helpers --------------------------------------------------------------------------


def _coerce(param: Parameter, value: Any) -> Any:
    if param.kind is float:
        return float(value)
    if param.kind is int:
        return int(value)
    return value


def _check_start_steps(table: Any, problems: list[Problem], lines: LineFinder) -> dict[str, int]:
    if not isinstance(table, Mapping):
        problems.append(Problem("start_steps", "must be a table", lines(None, "start_steps")))
        return {}
    out = {}
    spec = timing_lever()
    for key, value in table.items():
        dotted = f"start_steps.{key}"
        if key not in LEVER_NAMES:
            problems.append(
                Problem(dotted, unknown_key(key, LEVER_NAMES), lines("start_steps", key))
            )
            continue
        message = check_value(spec, value)
        if message:
            problems.append(Problem(dotted, message, lines("start_steps", key)))
        else:
            out[key] = int(value)
    return out


def _cross_field(
    values: dict[str, Any], starts: dict[str, int], lines: LineFinder
) -> list[Problem]:
    """The declared rules that involve more than one value (:data:`levers.RULES`)."""
    out = []
    for rule in RULES:
        if rule.error and rule.broken(values):
            section = PARAMETERS[rule.parameter].section.value
            out.append(
                Problem(
                    f"{section}.{rule.parameter}",
                    rule.message(),
                    lines(section, rule.parameter),
                )
            )
    return out


def _unknown_param(key: str, section: Section) -> str:
    if key in PARAMETERS:
        home = PARAMETERS[key].section.value
        return f"belongs in [{home}], not [{section.value}]"
    return unknown_key(key, [p.name for p in SECTIONS[section]])
