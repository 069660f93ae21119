"""The live page's state in its address: scenario, changed levers and seed as a query string.

``/?scenario=mission_driven&orchestration=0.9&seed=3`` opens the live page on
``mission_driven`` with orchestration at 0.9 and seed 3; every change on the page writes the
address again, so a reload or a shared link shows the same run. Keys are the parameters'
names (the TOML keys, one spelling), plus ``scenario`` (a file name without ``.toml`` in the
scenarios folder) and ``seed``. A key that is unknown, or a value that is not allowed, is
ignored and reported as a :class:`Ignored` entry naming the key and what is allowed — reading
an address never raises.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from partnersim.schema.levers import LEVERS, UNCERTAINTIES, Parameter

SCENARIO = "scenario"
SEED = "seed"
DEFAULT_SEED = 1
"""The live page's seed when the address gives none (not written to the address)."""

CONTROLLED: dict[str, Parameter] = {p.name: p for p in (*LEVERS, *UNCERTAINTIES)}
"""The parameters the live page has controls for: the keys an address may set."""


@dataclass(frozen=True, slots=True)
class Ignored:
    """A key of the address that was not used, and why."""

    key: str
    value: str
    allowed: str

    def __str__(self) -> str:
        return f"{self.key}={self.value!r} ({self.allowed})"


@dataclass(frozen=True, slots=True)
class LiveQuery:
    """What an address asks of the live page (anything not allowed is in ``ignored``)."""

    scenario: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    seed: int | None = None
    ignored: tuple[Ignored, ...] = ()


def quarter_high(p: Parameter, steps: int | None) -> float | None:
    """A parameter's upper bound on the live page: a quarter lies within the run."""
    if p.quarter and steps is not None and p.high is not None:
        return min(p.high, steps)
    return p.high


def allowed_text(p: Parameter, steps: int | None = None) -> str:
    """What a parameter accepts on the live page, in words (the run bounds quarters)."""
    if p.choices is not None or p.kind is bool:
        return p.allowed()
    high = quarter_high(p, steps)
    kind = "an integer" if p.kind is int else "a number"
    text = f"{kind} from {number_text(p.low)} to {number_text(high)}"
    return text + (" (a quarter of the run)" if p.quarter and high != p.high else "")


def parse_value(p: Parameter, text: str, steps: int | None = None) -> Any:
    """The value of ``p`` that ``text`` writes.

    Raises:
        ValueError: ``text`` is not an allowed value of ``p`` (the message says what is).
    """
    problem = ValueError(allowed_text(p, steps))
    if p.choices is not None:
        if text not in p.choices:
            raise problem
        return text
    if p.kind is bool:
        lowered = text.strip().lower()
        if lowered not in ("true", "false"):
            raise problem
        return lowered == "true"
    try:
        number = float(text)
    except ValueError:
        raise problem from None
    if not math.isfinite(number):
        raise problem
    if p.kind is int:
        if number != int(number):
            raise problem
        number = int(number)
    high = quarter_high(p, steps)
    if (p.low is not None and number < p.low) or (high is not None and number > high):
        raise problem
    return number


def number_text(value: Any) -> str:
    """A value as the address writes it: short (``0.9``, ``3``) yet read back exactly."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    return str(value)


def parse_query(
    search: str | None, scenarios: Collection[str] | None = None, steps: int | None = None
) -> LiveQuery:
    """What the query string ``search`` (without the ``?``) asks of the live page.

    Args:
        search: the address's query string.
        scenarios: the scenario names the page offers; ``None``: the page shows a given
            scenario, and ``scenario`` in the address is ignored.
        steps: the run length, which bounds quarter parameters (``start_step``).
    """
    scenario, seed = None, None
    values: dict[str, Any] = {}
    ignored: list[Ignored] = []
    for key, text in parse_qsl(search or "", keep_blank_values=True):
        if key == SCENARIO:
            if scenarios is None:
                ignored.append(Ignored(key, text, "this page shows one given scenario"))
            elif text in scenarios:
                scenario = text
            else:
                listed = ", ".join(sorted(scenarios)) or "none"
                ignored.append(Ignored(key, text, f"no such scenario file (allowed: {listed})"))
        elif key == SEED:
            try:
                seed = int(text)
                if seed < 0:
                    raise ValueError
            except ValueError:
                seed = None
                ignored.append(Ignored(key, text, "a whole number from 0"))
        elif key in CONTROLLED:
            try:
                values[key] = parse_value(CONTROLLED[key], text, steps)
            except ValueError as exc:
                ignored.append(Ignored(key, text, f"allowed: {exc}"))
        else:
            ignored.append(
                Ignored(key, text, "not a lever or uncertainty of the model, nor scenario or seed")
            )
    return LiveQuery(scenario, values, seed, tuple(ignored))


def encode_query(
    scenario: str | None = None, values: Mapping[str, Any] | None = None, seed: int | None = None
) -> str:
    """The query string (without the ``?``) that :func:`parse_query` reads back as given.

    Parameters are written in their declaration order (levers, then uncertainties); the seed
    only when it is not :data:`DEFAULT_SEED`.
    """
    values = values or {}
    unknown = set(values) - set(CONTROLLED)
    if unknown:
        raise KeyError(f"not parameters with live controls: {sorted(unknown)}")
    pairs: list[tuple[str, str]] = []
    if scenario is not None:
        pairs.append((SCENARIO, scenario))
    pairs += [(name, number_text(values[name])) for name in CONTROLLED if name in values]
    if seed is not None and seed != DEFAULT_SEED:
        pairs.append((SEED, str(seed)))
    return urlencode(pairs)
