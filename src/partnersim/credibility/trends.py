"""Status-quo trend targets: what the shipped history says each indicator would do unchanged.

Per indicator, data/trends.toml names a series of data/history.toml, a data window, a scale
(linear, log or logit) and optional smoothing. The year-on-year changes on that scale inside
the window (:func:`annual_changes`) give the drift (and so the level at the horizon), the
success rate and the mean absolute annual change (:func:`trend_targets`, in real units;
:func:`status_quo_trends`, on the model's normalised scale). Calibration fits the indicator
engine to these targets (:mod:`partnersim.credibility.calibration`); the validation figures
draw them (:mod:`partnersim.credibility.writing`), through the same scale transforms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partnersim import data


@dataclass(frozen=True, slots=True)
class TrendTarget:
    """One indicator's status-quo trend target in real units, and the data it comes from."""

    mission: str
    series: str
    data_window: str
    """First and last observation used, e.g. ``"2014-2024"``."""
    n_changes: int
    scale: str
    drift: float
    """Mean annual change on ``scale``."""
    final: float
    """Target level at the horizon (real units)."""
    success_rate: float
    improving: int
    """Number of the ``n_changes`` changes that improve."""
    annual_change: float
    """Mean absolute annual change (real units, at the baseline)."""
    reason: str


def fractional_year(month: str) -> float:
    """A ``"YYYY-MM"`` month as a decimal year at its start (``"2024-07"`` is 2024.5)."""
    year, mon = month.split("-")
    return int(year) + (int(mon) - 1) / 12


def transform(scale: str, x: np.ndarray | float) -> np.ndarray:
    """Real-unit values ``x`` on a trend ``scale``: ``linear``, ``log`` or ``logit`` (of a %).

    Raises:
        ValueError: an unknown scale.
    """
    x = np.asarray(x, dtype=float)
    if scale == "linear":
        return x
    if scale == "log":
        return np.log(x)
    if scale == "logit":
        p = x / 100.0
        return np.log(p / (1 - p))
    raise ValueError(f"unknown trend scale {scale!r}")


def inverse(scale: str, y: float) -> float:
    """A value on a trend ``scale`` back in real units (the inverse of :func:`transform`)."""
    if scale == "linear":
        return float(y)
    if scale == "log":
        return float(np.exp(y))
    return float(100.0 / (1.0 + np.exp(-y)))


def slope(scale: str, x: float) -> float:
    """Derivative of the transform at ``x`` (maps changes on ``scale`` back to real units)."""
    if scale == "linear":
        return 1.0
    if scale == "log":
        return 1.0 / x
    p = x / 100.0
    return 1.0 / (100.0 * p * (1 - p))


def annual_changes(spec: dict, history: dict) -> tuple[np.ndarray, str]:
    """Year-on-year changes (on ``spec['scale']``) of a history.toml series inside the window.

    Returns the changes and a label of the data window actually used.
    """
    table: dict = history
    for key in spec["series"].split("."):
        table = table[key]
    lo, hi = (float(w) for w in spec["window"])
    scale = spec["scale"]
    if "to_values" in table:  # same-release pairs
        keep = [i for i, y in enumerate(table["to_years"]) if lo <= y <= hi]
        start = transform(scale, [table["from_values"][i] for i in keep])
        end = transform(scale, [table["to_values"][i] for i in keep])
        label = f"{table['from_periods'][keep[0]]} to {table['to_periods'][keep[-1]]}"
        return end - start, label
    if "months" in table:  # irregular monthly observations: pairs twelve months apart
        obs = {
            fractional_year(m): v
            for m, v in zip(table["months"], table["values"], strict=True)
            if lo <= fractional_year(m) <= hi
        }
        used = sorted(t for t in obs if any(abs(abs(t - u) - 1) < 1e-9 for u in obs))
        pairs = [(t, t + 1) for t in used if any(abs(t + 1 - u) < 1e-9 for u in obs)]
        changes = np.array(
            [float(transform(scale, obs[b]) - transform(scale, obs[a])) for a, b in pairs]
        )
        months = {fractional_year(m): m for m in table["months"] if fractional_year(m) in obs}
        return changes, f"{months[used[0]]} to {months[used[-1]]}"
    years = np.array(table["years"], dtype=float)
    values = np.array(table["values"], dtype=float)
    inside = (years >= lo) & (years <= hi)
    years, values = years[inside], values[inside]
    if np.any(np.diff(years) != 1):
        raise ValueError(f"{spec['series']}: years in the window are not consecutive")
    k = int(spec.get("smoothing_years", 1))
    if k > 1:  # centred moving average
        values = np.convolve(values, np.ones(k) / k, mode="valid")
    label = f"{int(years[0])}-{int(years[-1])}"
    return np.diff(transform(scale, values)), label


def trend_targets() -> tuple[int, tuple[TrendTarget, ...]]:
    """Derive each indicator's trend target from data/history.toml as data/trends.toml states.

    Returns the horizon (steps) and the targets in MISSIONS order. See trends.toml for the
    method: drift = mean annual change over the window; final level = baseline moved by that
    drift over the horizon; success rate = (improving changes + 1) / (changes + 2); mean absolute
    annual change at the baseline.
    """
    raw = data.read("trends")
    history = data.read("history")
    horizon = int(raw["horizon_step"])
    years = horizon / 4
    specs = {r["mission"]: r for r in raw["trend"]}
    out = []
    for m in data.missions():
        spec = specs[m.name]
        scale = spec["scale"]
        changes, label = annual_changes(spec, history)
        drift = float(changes.mean())
        improving = int(np.sum(changes > 0 if m.higher_is_better else changes < 0))
        n = len(changes)
        base = float(m.baseline)
        out.append(
            TrendTarget(
                mission=m.name,
                series=spec["series"],
                data_window=label,
                n_changes=n,
                scale=scale,
                drift=drift,
                final=inverse(scale, float(transform(scale, base)) + years * drift),
                success_rate=(improving + 1) / (n + 2),
                improving=improving,
                annual_change=float(np.abs(changes).mean()) / slope(scale, base),
                reason=spec["reason"],
            )
        )
    return horizon, tuple(out)


@dataclass(frozen=True, slots=True)
class Trends:
    """Status-quo trend targets on the normalised scale, in MISSIONS order."""

    horizon: int
    final_level: np.ndarray
    success_rate: np.ndarray
    annual_change: np.ndarray
    """Mean absolute 4-quarter change, normalised units."""
    targets: tuple[TrendTarget, ...]
    """The same targets in real units, with their data windows (required: the calibration
    file records each one's series, window and real-unit values)."""


def status_quo_trends() -> Trends:
    """The trend targets derived from data/history.toml, on the normalised scale."""
    horizon, targets = trend_targets()
    ms = data.missions()
    return Trends(
        horizon=horizon,
        final_level=np.array(
            [m.to_level(t.final) for m, t in zip(ms, targets, strict=True)], dtype=float
        ),
        success_rate=np.array([t.success_rate for t in targets], dtype=float),
        annual_change=np.array(
            [
                t.annual_change / (m.upper_bound - m.lower_bound)
                for m, t in zip(ms, targets, strict=True)
            ],
            dtype=float,
        ),
        targets=targets,
    )
