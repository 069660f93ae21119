"""Stylised-fact checks as numbers: intervals, resolved signs and the verdict rules.

Every verdict is decided from 95 % intervals: a difference whose interval includes zero is
*not resolved* (verdict "inconclusive", ``None``), never a finding. These functions are pure —
arrays in, verdicts out — and are tested on synthetic inputs; the scenario runs that feed them
are in :mod:`partnersim.credibility.experiments`, and the words and figures reporting them in
:mod:`partnersim.credibility.writing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from partnersim.runs.summary import wilson_interval

VERDICT = {True: "shown", False: "**not shown**", None: "inconclusive"}
"""A check's verdict (``holds``) in words."""


@dataclass
class Check:
    """One stylised fact: what the literature says, what the model shows, and the verdict."""

    name: str
    literature: str
    finding: str
    holds: bool | None
    table: pd.DataFrame = field(default_factory=pd.DataFrame)


def mean_ci(x: np.ndarray | pd.Series) -> tuple[float, float, float]:
    """Mean and its 95 % Student-t interval (t with n − 1 degrees of freedom at every n).

    NaN bounds for fewer than two values.
    """
    from scipy.stats import t as student

    x = np.asarray(x, dtype=float)
    m = float(x.mean())
    if len(x) < 2:
        return m, float("nan"), float("nan")
    half = float(student.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def sign_resolved(x: np.ndarray | pd.Series) -> int:
    """+1 if the 95 % interval of the mean of ``x`` is above zero, −1 if below, 0 if neither."""
    _, lo, hi = mean_ci(x)
    if lo > 0:
        return 1
    if hi < 0:
        return -1
    return 0


def crowding_verdict(d_private: np.ndarray) -> bool | None:
    """Crowding in shown if extra private investment (per seed) is resolved above zero."""
    return {1: True, -1: False, 0: None}[sign_resolved(d_private)]


def patience_verdict(advantage: dict[int, np.ndarray]) -> tuple[bool | None, int | None]:
    """Does the advantage shrink with delay, and from which delay is it no longer above zero?

    ``advantage`` maps a start delay (quarters) to per-seed advantages. Shown if the
    advantage at the shortest delay minus that at the longest is resolved above zero; not
    shown if resolved below zero; otherwise inconclusive. The threshold is the shortest delay
    whose advantage is not resolved above zero, or None if there is none.
    """
    delays = sorted(advantage)
    shrink = np.asarray(advantage[delays[0]]) - np.asarray(advantage[delays[-1]])
    holds = {1: True, -1: False, 0: None}[sign_resolved(shrink)]
    threshold = next((d for d in delays if sign_resolved(advantage[d]) != 1), None)
    return holds, threshold


def risk_verdict(advantage: dict[float, np.ndarray]) -> tuple[bool | None, float | None]:
    """Does the advantage grow with the public risk share, and is there a threshold?

    Shown if the advantage at the highest risk share minus that at the lowest is resolved above
    zero; not shown if resolved below zero; otherwise inconclusive. The threshold is the
    lowest risk share from which the advantage is resolved above zero, reported only if it is
    not resolved above zero at some lower share (so the advantage "vanishes below" it).
    """
    shares = sorted(advantage)
    gain = np.asarray(advantage[shares[-1]]) - np.asarray(advantage[shares[0]])
    holds = {1: True, -1: False, 0: None}[sign_resolved(gain)]
    above = [sign_resolved(advantage[s]) == 1 for s in shares]
    threshold = None
    if not above[0] and any(above):
        first = above.index(True)
        if all(above[first:]):
            threshold = shares[first]
    return holds, threshold


def technology_verdict(differences: dict[str, np.ndarray]) -> bool | None:
    """Is clean power ahead of every broad social mission on every like-for-like measure?

    ``differences`` maps "measure / mission" to per-seed differences (clean power minus the
    other). Shown if every difference is resolved above zero; not shown if some difference is
    resolved below zero and none above; inconclusive when differences are not resolved (or
    disagree in sign).
    """
    signs = [sign_resolved(d) for d in differences.values()]
    if all(s == 1 for s in signs):
        return True
    if any(s == -1 for s in signs) and not any(s == 1 for s in signs):
        return False
    return None


def nhs_verdict(met: int, n: int) -> bool | None:
    """The status quo misses if the 95 % upper bound of P(met) is below one half."""
    lo, hi = wilson_interval(met, n)
    if hi < 0.5:
        return True
    if lo > 0.5:
        return False
    return None
