"""Scenario discovery: where in factor space an outcome meets a condition, by PRIM and by CART.

A search asks where a :class:`Condition` on one outcome holds — ``clean_power_met == 0`` (the
target missed), ``net_fiscal_cost_total > 50``, any outcome, threshold and direction — over the
factors a sweep varies. Runs where the condition holds are the *cases of interest*.

* **PRIM** (EMA Workbench's ``analysis.prim``) peels the factor space; the box reported is
  the densest on its peeling trajectory that still covers at least half of the cases of
  interest. Then every restriction (each side of a range, or a list factor's kept values)
  that does not raise the box's density by at least :data:`DENSITY_GAIN` is dropped, least
  useful first, and each remaining restriction gets its **quasi-p-value** (Bryant & Lempert
  2010): a one-sided binomial test of the box's density against the density of the same box
  without that restriction. A large quasi-p-value says the restriction could be chance.
* **CART** (EMA Workbench's ``analysis.cart``, a classification tree with leaves of at least
  5 % of the runs) is a second method: its leaf with the highest density of cases of interest,
  described the same way. Where PRIM and CART restrict the same factors, the finding does not
  hang on one algorithm.
* No box is searched for with fewer than :data:`MIN_CASES` cases of interest (or of the
  other runs): a box "covering" three successes says nothing, and the note says so.

Each restriction names its factor's kind (lever, uncertainty or assumption), because a box
over uncertainties describes the world a package needs, not a choice government can make.
"""

from __future__ import annotations

import math
import operator
import re
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from partnersim.results import Results

MIN_CASES = 10
"""Fewest cases of interest (and fewest other runs) for a box to be searched for."""
COVERAGE_FLOOR = 0.5
"""The reported PRIM box is the densest whose coverage is at least this."""
DENSITY_GAIN = 0.01
"""A restriction is kept only if it raises the box's density by at least this much."""

_OPS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
_DIRECTIONS = {"below": "<", "above": ">", "at_most": "<=", "at_least": ">="}
_WORDS = {"==": "eq", "!=": "ne", "<=": "le", ">=": "ge", "<": "lt", ">": "gt"}


@dataclass(frozen=True, slots=True)
class Condition:
    """A condition on one outcome that makes a run a case of interest.

    Attributes:
        outcome: a results column (a declared outcome, or any numeric column of the runs).
        op: one of ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``.
        threshold: the value compared with.
    """

    outcome: str
    op: str
    threshold: float

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"{self.op!r} is not a comparison; one of {', '.join(_OPS)}")
        if not math.isfinite(self.threshold):
            raise ValueError(f"the threshold must be a finite number, got {self.threshold}")

    @classmethod
    def parse(cls, text: str) -> Condition:
        """Read ``"clean_power_met == 0"`` (outcome, comparison, number).

        Raises:
            ValueError: the text is not of that form.
        """
        match = re.fullmatch(r"\s*([A-Za-z_][\w.]*)\s*(==|!=|<=|>=|<|>)\s*(\S+)\s*", text)
        if not match:
            raise ValueError(
                f'{text!r} is not a condition like "clean_power_met == 0" '
                f"(an outcome, one of {' '.join(_OPS)}, a number)"
            )
        try:
            threshold = float(match[3])
        except ValueError:
            raise ValueError(f"{text!r}: {match[3]!r} is not a number") from None
        return cls(match[1], match[2], threshold)

    @classmethod
    def of(cls, outcome: str, threshold: float, direction: str) -> Condition:
        """The condition ``outcome`` ``below``/``above``/``at_most``/``at_least`` ``threshold``.

        Raises:
            ValueError: an unknown direction.
        """
        if direction not in _DIRECTIONS:
            raise ValueError(f"{direction!r} is not a direction; one of {', '.join(_DIRECTIONS)}")
        return cls(outcome, _DIRECTIONS[direction], float(threshold))

    def holds(self, values: pd.Series | np.ndarray) -> np.ndarray:
        """Whether each value meets the condition (NaN never does)."""
        return np.asarray(_OPS[self.op](np.asarray(values, dtype=float), self.threshold))

    @property
    def text(self) -> str:
        """The condition as written, e.g. ``clean_power_met == 0``."""
        return f"{self.outcome} {self.op} {self.threshold:g}"

    @property
    def slug(self) -> str:
        """A file-name form, e.g. ``clean_power_met_eq_0``."""
        number = f"{self.threshold:g}".replace("-", "m").replace(".", "p").replace("+", "")
        return f"{self.outcome.replace('.', '_')}_{_WORDS[self.op]}_{number}"


def mission_conditions(missions: Iterable[str]) -> list[tuple[str, Condition]]:
    """For each mission, its target met and its target missed, with a label for each."""
    from partnersim.runs.outcomes import mission_column

    out = []
    for m in missions:
        met = mission_column(m, "met")
        out.append((f"{m}: target met", Condition(met, "==", 1.0)))
        out.append((f"{m}: target missed", Condition(met, "==", 0.0)))
    return out


@dataclass(frozen=True, slots=True)
class DiscoveryBox:
    """A box in factor space where a condition is likely to hold.

    Attributes:
        mission: the mission the condition is about, if any.
        limits: one row per restriction: ``factor``, ``kind`` (lever, uncertainty or
            assumption), ``low``/``high`` (ranges; NaN on a side left free) or ``values``
            (lists), and ``qp``, its quasi-p-value.
        coverage: share of all cases of interest that lie in the box.
        density: share of the runs in the box that are cases of interest.
        mass: share of all runs that lie in the box.
        base_rate: share of all assessed runs that are cases of interest.
        runs: runs assessed (the condition's outcome defined).
        condition: the condition, as text.
        cases: cases of interest among the runs assessed.
        method: ``PRIM`` or ``CART``.
    """

    mission: str | None
    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    base_rate: float
    runs: int
    condition: str = ""
    cases: int = 0
    method: str = "PRIM"

    def to_dict(self) -> dict:
        """The box as ``report/discovery.json`` holds it for a mission's target met.

        Returns:
            ``limits`` maps each restricted factor to ``{"low", "high"}`` (a range; an
            unrestricted side is the factor's swept bound) or ``{"values"}`` (the categories
            kept); then ``coverage``, ``density``, ``mass``, ``base_rate`` and ``runs``.
        """
        limits: dict[str, dict[str, Any]] = {}
        for row in self.limits.to_dict("records"):
            if isinstance(row.get("values"), list | tuple):
                limits[row["factor"]] = {"values": [str(v) for v in row["values"]]}
            else:
                limits[row["factor"]] = {"low": float(row["low"]), "high": float(row["high"])}
        return {
            "limits": limits,
            "coverage": self.coverage,
            "density": self.density,
            "mass": self.mass,
            "base_rate": self.base_rate,
            "runs": self.runs,
        }

    def record(self) -> dict:
        """Everything about the box, as plain data: :meth:`to_dict` plus kinds and quasi-p."""
        out = self.to_dict()
        for row in self.limits.to_dict("records"):
            entry = out["limits"][row["factor"]]
            entry["kind"] = row.get("kind", "")
            qp = row.get("qp", float("nan"))
            entry["qp"] = None if qp is None or qp != qp else float(qp)
        out.update(method=self.method, condition=self.condition, cases=self.cases)
        return out

    def describe(self) -> str:
        """The restrictions in words, grouped by kind, e.g. ``levers: 0.4 ≤ orchestration``."""
        if self.limits.empty:
            return "no restriction"
        parts = []
        kinds = self.limits["kind"] if "kind" in self.limits else pd.Series([""] * len(self.limits))
        for kind in dict.fromkeys(kinds):
            rows = self.limits[kinds == kind].to_dict("records")
            text = "; ".join(describe_limit(r) for r in rows)
            parts.append(f"{plural(kind)}: {text}" if kind else text)
        return " | ".join(parts)


def plural(kind: str) -> str:
    """``lever`` → ``levers``, ``uncertainty`` → ``uncertainties``."""
    return kind[:-1] + "ies" if kind.endswith("y") else kind + "s"


def describe_limit(row: dict) -> str:
    """A restriction in words: ``0.4 ≤ orchestration ≤ 1``, ``shock ∈ {none}``, ``x ≥ 0.2``."""
    if isinstance(row.get("values"), list | tuple):
        return f"{row['factor']} ∈ {{{', '.join(_ordered(map(str, row['values'])))}}}"
    low, high = row.get("low", np.nan), row.get("high", np.nan)
    lower = row.get("free_low", False)
    upper = row.get("free_high", False)
    if lower and not upper:
        return f"{row['factor']} ≤ {high:.3g}"
    if upper and not lower:
        return f"{low:.3g} ≤ {row['factor']}"
    return f"{low:.3g} ≤ {row['factor']} ≤ {high:.3g}"


@dataclass(frozen=True, slots=True)
class Search:
    """One scenario-discovery search: a condition, its cases, PRIM's box, CART's leaf.

    Attributes:
        label: what the search is about, e.g. ``clean_power: target missed``.
        condition: the condition searched for.
        runs: runs assessed (the outcome defined).
        cases: cases of interest among them.
        prim: PRIM's box (None if none was searched for or found).
        cart: CART's densest leaf (None likewise).
        trajectory: PRIM's peeling trajectory: ``coverage``, ``density``, ``mass``,
            ``res_dim`` per step (empty without PRIM).
        chosen: the row of the trajectory PRIM's box was taken from, before restrictions
            that did not raise the density were dropped.
        notes: why a method did not run, or what to keep in mind reading its box.
    """

    label: str
    condition: Condition
    runs: int
    cases: int
    prim: DiscoveryBox | None
    cart: DiscoveryBox | None
    trajectory: pd.DataFrame = field(default_factory=pd.DataFrame)
    chosen: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def base_rate(self) -> float:
        """Share of the runs assessed that are cases of interest."""
        return self.cases / self.runs if self.runs else float("nan")

    def record(self) -> dict:
        """The search as plain data (an entry of ``report/discovery.json``'s ``searches``)."""
        return {
            "label": self.label,
            "condition": self.condition.text,
            "outcome": self.condition.outcome,
            "runs": self.runs,
            "cases": self.cases,
            "base_rate": self.base_rate,
            "prim": self.prim.record() if self.prim else None,
            "cart": self.cart.record() if self.cart else None,
            "notes": list(self.notes),
        }


# -- the search -----------------------------------------------------------------------------------


def search_frame(
    x: pd.DataFrame,
    values: pd.Series | np.ndarray,
    condition: Condition,
    *,
    kinds: dict[str, str] | None = None,
    label: str = "",
    mission: str | None = None,
    min_cases: int = MIN_CASES,
) -> Search:
    """Search factor values ``x`` (one row per run) for where ``condition`` holds on ``values``.

    Args:
        x: the factors, one column each; non-numeric columns are categorical.
        values: the outcome, one value per row of ``x`` (NaN rows are left out).
        condition: what makes a run a case of interest.
        kinds: each factor's kind (``lever``, ``uncertainty``, ``assumption``), for headings.
        label: what the search is about, in words.
        mission: the mission the condition is about, if any.
        min_cases: fewest cases of interest, and fewest other runs, to search at all.
    """
    kinds = kinds or {}
    values = np.asarray(values, dtype=float)
    defined = ~np.isnan(values)
    x = x.loc[defined].reset_index(drop=True)
    y = condition.holds(values[defined])
    runs, cases = len(y), int(y.sum())
    notes: list[str] = []
    label = label or condition.text
    if (~defined).any() and defined.any():
        notes.append(f"{int((~defined).sum())} runs leave {condition.outcome} undefined")
    if runs == 0:
        notes.append(
            f"no box: no run defines {condition.outcome} (a mission's target is only assessed "
            "in runs that reach its deadline)"
        )
        return Search(label, condition, runs, cases, None, None, notes=tuple(notes))
    if cases in (0, runs):
        notes.append(_nowhere_else(condition, cases, runs, mission))
        return Search(label, condition, runs, cases, None, None, notes=tuple(notes))
    if cases < min_cases or runs - cases < min_cases:
        which = "cases of interest" if cases < min_cases else "runs where it does not hold"
        count = cases if cases < min_cases else runs - cases
        notes.append(
            f"no box: {condition.text} holds in {cases} of {runs} runs; {count} {which} are "
            f"fewer than the {min_cases} a box needs"
        )
        return Search(label, condition, runs, cases, None, None, notes=tuple(notes))
    x = _prepared(x)
    if x.shape[1] == 0:
        notes.append("no box: the sweep varies no factor")
        return Search(label, condition, runs, cases, None, None, notes=tuple(notes))
    common = dict(
        base_rate=cases / runs, runs=runs, condition=condition.text, cases=cases, mission=mission
    )
    trajectory, chosen, prim_limits = _prim(x, y)
    prim_box = None
    if prim_limits is not None:
        kept, dropped = _drop_idle(x, y, prim_limits)
        if dropped:
            notes.append(
                "PRIM: restrictions that did not raise the density by "
                f"{DENSITY_GAIN:g} or more were dropped ({', '.join(dropped)})"
            )
        if kept:
            prim_box = _box(x, y, kept, kinds, "PRIM", **common)
            weak = prim_box.limits[prim_box.limits["qp"] > 0.05]["factor"].tolist()
            if weak:
                notes.append(
                    f"PRIM: the restriction on {', '.join(weak)} has a quasi-p-value above "
                    "0.05; it may be chance"
                )
        else:
            notes.append(
                f"no box: no restriction of the factors raises the share of runs where "
                f"{condition.text} above its base rate of {cases / runs:.0%} (it depends on "
                "the seed, or on factors this sweep does not vary)"
            )
    cart_limits = _cart(x, y)
    cart_box = None
    if cart_limits is not None:
        kept, _ = _drop_idle(x, y, cart_limits)
        cart_box = _box(x, y, kept, kinds, "CART", **common) if kept else None
    return Search(
        label, condition, runs, cases, prim_box, cart_box, trajectory, chosen, tuple(notes)
    )


def target_everywhere(condition: Condition, cases: int, runs: int) -> bool | None:
    """Whether a target is met everywhere or nowhere, from a condition that holds in no run or all.

    For a condition on a target met (``== 1``) or missed (``== 0``): True if the target is met
    in every run, False if in none; None for any other condition, or for one that holds in some
    runs but not others.
    """
    one, zero = condition.holds(np.array([1.0, 0.0]))
    if one == zero or cases not in (0, runs) or not runs:
        return None
    return bool(one) != (cases == 0)


def _nowhere_else(condition: Condition, cases: int, runs: int, mission: str | None) -> str:
    """Why there is no box when a condition holds in no run or in every run: nothing to contrast.

    That is a finding about the sweep's space, not a failure of the search, so it says so: a
    target never met (or never missed) anywhere in it is out of (or always within) reach of the
    factors the sweep varies, over their ranges, with every other input at the base scenario's
    value.
    """
    met = target_everywhere(condition, cases, runs)
    if mission is not None and met is not None:
        what = f"the {mission} target is {'met in every run' if met else 'never met'}"
        change = "missing" if met else "meeting"
    else:
        what = f"{condition.text} holds in {'no run' if cases == 0 else 'every run'}"
        change = "making it hold" if cases == 0 else "making it fail"
    return (
        f"no box: {what} ({condition.text} in {cases} of {runs} runs), anywhere in the space "
        "this sweep covers — the factors it varies, over their ranges, with every other input at "
        "the base scenario's value — so there is no contrast for a box to draw. "
        f"{change.capitalize()} it needs an input the sweep holds fixed, or ranges beyond its own."
    )


def _prepared(x: pd.DataFrame) -> pd.DataFrame:
    """Factors as PRIM and CART take them: numbers as floats, anything else as categories."""
    out = pd.DataFrame(index=x.index)
    for name in x.columns:
        column = x[name]
        if column.nunique(dropna=False) < 2:
            continue  # a factor that does not vary (a list point never set it) restricts nothing
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            out[name] = column.astype(float)
        else:
            out[name] = column.astype(str).astype("category")
    return out


@dataclass(frozen=True, slots=True)
class _Limit:
    """One factor's restriction: a closed range (sides may be free) or a set of values."""

    factor: str
    low: float = -np.inf
    high: float = np.inf
    values: frozenset | None = None

    def contains(self, column: pd.Series) -> np.ndarray:
        if self.values is not None:
            return column.astype(str).isin(self.values).to_numpy()
        v = column.to_numpy(dtype=float)
        return (v >= self.low) & (v <= self.high)


def _limits_of(box: pd.DataFrame, initial: pd.DataFrame) -> list[_Limit]:
    """EMA box limits (two rows: low, high; sets for categories) as restrictions."""
    out = []
    for name in box.columns:
        lo, hi = box[name].iloc[0], box[name].iloc[1]
        lo0, hi0 = initial[name].iloc[0], initial[name].iloc[1]
        if isinstance(lo, set):
            if set(lo) != set(lo0):
                out.append(_Limit(name, values=frozenset(map(str, lo))))
        elif lo != lo0 or hi != hi0:
            out.append(
                _Limit(
                    name,
                    float(lo) if lo != lo0 else -np.inf,
                    float(hi) if hi != hi0 else np.inf,
                )
            )
    return out


def _inside(x: pd.DataFrame, limits: list[_Limit]) -> np.ndarray:
    inside = np.ones(len(x), dtype=bool)
    for lim in limits:
        inside &= lim.contains(x[lim.factor])
    return inside


def _density(x: pd.DataFrame, y: np.ndarray, limits: list[_Limit]) -> tuple[float, int, int]:
    inside = _inside(x, limits)
    n, k = int(inside.sum()), int(y[inside].sum())
    return (k / n if n else 0.0), k, n


def _sides(limits: list[_Limit]) -> list[tuple[int, str]]:
    """Each restriction that can be removed alone: a range's lower and upper side, a value set."""
    out = []
    for i, lim in enumerate(limits):
        if lim.values is not None:
            out.append((i, "values"))
        else:
            out += [(i, s) for s, v in (("low", lim.low), ("high", lim.high)) if np.isfinite(v)]
    return out


def _without(limits: list[_Limit], i: int, side: str) -> list[_Limit]:
    """``limits`` with one side of restriction ``i`` (or its value set) removed."""
    lim = limits[i]
    low = -np.inf if side == "low" else lim.low
    high = np.inf if side == "high" else lim.high
    if side == "values" or (np.isinf(low) and np.isinf(high)):
        return limits[:i] + limits[i + 1 :]
    return [*limits[:i], _Limit(lim.factor, low, high), *limits[i + 1 :]]


def _side_text(lim: _Limit, side: str) -> str:
    if side == "values":
        return f"{lim.factor} ∈ {{{', '.join(_ordered(lim.values or ()))}}}"
    return f"{lim.factor} ≥ {lim.low:.3g}" if side == "low" else f"{lim.factor} ≤ {lim.high:.3g}"


def _drop_idle(
    x: pd.DataFrame, y: np.ndarray, limits: list[_Limit]
) -> tuple[list[_Limit], list[str]]:
    """Drop, least useful first, each restriction that raises the density by < DENSITY_GAIN."""
    dropped: list[str] = []
    while True:
        density = _density(x, y, limits)[0]
        best = None
        for i, side in _sides(limits):
            loss = density - _density(x, y, _without(limits, i, side))[0]
            if loss < DENSITY_GAIN and (best is None or loss < best[0]):
                best = (loss, i, side)
        if best is None:
            return limits, dropped
        _, i, side = best
        lim = limits[i]
        dropped.append(_side_text(lim, side))
        limits = _without(limits, i, side)


def _quasi_p(x: pd.DataFrame, y: np.ndarray, limits: list[_Limit], i: int) -> float:
    """Quasi-p-value of restriction ``i`` (Bryant & Lempert 2010), one-sided binomial test."""
    from scipy.stats import binomtest

    _, k, n = _density(x, y, limits)
    without = limits[:i] + limits[i + 1 :]
    p = _density(x, y, without)[0]
    if n == 0 or p >= 1.0:
        return 1.0
    return float(binomtest(k, n, p, alternative="greater").pvalue)


def _box(
    x: pd.DataFrame,
    y: np.ndarray,
    limits: list[_Limit],
    kinds: dict[str, str],
    method: str,
    **common: Any,
) -> DiscoveryBox:
    density, k, n = _density(x, y, limits)
    ranges = {c: (x[c].min(), x[c].max()) for c in x.columns if x[c].dtype.kind == "f"}
    rows = []
    for i, lim in enumerate(limits):
        row = {
            "factor": lim.factor,
            "kind": kinds.get(lim.factor, ""),
            "qp": _quasi_p(x, y, limits, i),
        }
        if lim.values is not None:
            row.update(
                low=np.nan,
                high=np.nan,
                values=_ordered(lim.values),
                free_low=False,
                free_high=False,
            )
        else:
            low, high = ranges[lim.factor]
            row.update(
                low=lim.low if np.isfinite(lim.low) else float(low),
                high=lim.high if np.isfinite(lim.high) else float(high),
                values=None,
                free_low=not np.isfinite(lim.low),
                free_high=not np.isfinite(lim.high),
            )
        rows.append(row)
    columns = ["factor", "kind", "low", "high", "values", "qp", "free_low", "free_high"]
    return DiscoveryBox(
        common["mission"],
        pd.DataFrame(rows, columns=columns),
        k / max(int(y.sum()), 1),
        density,
        n / len(y),
        common["base_rate"],
        common["runs"],
        common["condition"],
        common["cases"],
        method,
    )


def _prim(x: pd.DataFrame, y: np.ndarray) -> tuple[pd.DataFrame, int | None, list[_Limit] | None]:
    with warnings.catch_warnings():  # ema_workbench warns about optional ipyparallel
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        algorithm = prim.Prim(x, y, peel_alpha=0.1)
        box = algorithm.find_box()
    if box is None:
        return pd.DataFrame(), None, None
    trajectory = box.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    eligible = trajectory[trajectory["coverage"] >= COVERAGE_FLOOR]
    chosen = int(eligible["density"].idxmax()) if len(eligible) else 0
    return trajectory, chosen, _limits_of(box.box_lims[chosen], box.box_lims[0])


def _cart(x: pd.DataFrame, y: np.ndarray) -> list[_Limit] | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart

        tree = cart.CART(x, y, mass_min=0.05)
        tree.build_tree()
        boxes, stats = tree.boxes, tree.stats
    if not boxes:
        return None
    best = max(range(len(boxes)), key=lambda i: (stats[i]["density"], stats[i]["coverage"]))
    if stats[best]["density"] <= y.mean():
        return None
    return _limits_of(boxes[best], _full_box(x))


def _full_box(x: pd.DataFrame) -> pd.DataFrame:
    """The box holding every run, in EMA's form (two rows; sets of categories)."""
    cols = {}
    for name in x.columns:
        if x[name].dtype.kind == "f":
            cols[name] = [x[name].min(), x[name].max()]
        else:
            cats = set(map(str, x[name].cat.categories))
            cols[name] = [cats, cats]
    return pd.DataFrame(cols)


# -- over a sweep folder --------------------------------------------------------------------------


def factor_kind(name: str) -> str:
    """A factor's kind in words: ``lever``, ``uncertainty`` or ``assumption``."""
    from partnersim.schema.levers import Section, variable

    try:
        section = variable(name).section
    except KeyError:
        return ""
    return {
        Section.LEVERS: "lever",
        Section.UNCERTAINTIES: "uncertainty",
        Section.ASSUMPTIONS: "assumption",
    }.get(section, "")


def search(
    results: Results,
    condition: Condition,
    *,
    label: str = "",
    min_cases: int = MIN_CASES,
) -> Search:
    """Search a sweep's factor space for where ``condition`` holds (PRIM and CART).

    Uses the sweep's successful runs and the factors of its manifest.

    Raises:
        KeyError: the condition's outcome is not a column of the sweep's runs.
    """
    runs = results.runs
    if "status" in runs:
        runs = runs[runs["status"] == "ok"]
    if condition.outcome not in runs:
        numeric = [c for c in runs.columns if pd.api.types.is_numeric_dtype(runs[c])]
        raise KeyError(
            f"{condition.outcome!r} is not a column of the sweep's runs; "
            + _suggest(condition.outcome, numeric)
        )
    names = [f["name"] for f in results.manifest["factors"]]
    from partnersim.runs.outcomes import OUTCOME_INDEX, mission_column

    declared = OUTCOME_INDEX.get(condition.outcome)
    mission = (
        declared.mission
        if declared is not None
        and declared.mission is not None
        and condition.outcome == mission_column(declared.mission, "met")
        else None
    )
    x = runs[names].reset_index(drop=True)
    for f in results.manifest["factors"]:
        if f["values"] is not None:  # a list factor: its values, not a range between them
            x[f["name"]] = x[f["name"]].map(_value_text)
    return search_frame(
        x,
        runs[condition.outcome].to_numpy(dtype=float),
        condition,
        kinds={n: factor_kind(n) for n in names},
        label=label,
        mission=mission,
        min_cases=min_cases,
    )


def _value_text(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _ordered(values: Iterable[str]) -> list[str]:
    """Values in their natural order: numerically when they are all numbers."""
    values = list(values)
    try:
        return sorted(values, key=float)
    except ValueError:
        return sorted(values)


def _suggest(name: str, columns: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, columns, n=3)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return f"{len(columns)} numeric columns, e.g. {', '.join(columns[:6])}"


def discover(results: Results, mission: str) -> DiscoveryBox | None:
    """PRIM's box for ``mission``'s target being met (None if there is none; see :func:`search`)."""
    from partnersim.runs.outcomes import mission_column

    column = mission_column(mission, "met")
    if column not in results.runs:
        return None
    return search(results, Condition(column, "==", 1.0)).prim
