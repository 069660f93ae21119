"""Delivery capacity: how resourcing moves each mission indicator (ODD §7.8, issue 15).

The agents decide how much money reaches each mission and how well it is spent (the PPI
contribution step in :mod:`partnersim.model.indicators`, with capability, coordination,
private investment, unions and spillovers). This module turns that *drive* into indicator
change through a capacity stock per mission, replacing PPI's fixed ±step per quarter:

* the **resourcing ratio** ``r = drive / reference`` is the mission's drive relative to the
  status quo's in the same quarter (the reference, in ``data/delivery.toml``, is the status
  quo's mean drive per quarter over reference seeds; after its last quarter, the last value);
* **capacity** ``K`` (workforce, capital, generating plant; 1 = the status quo's) follows
  resourcing with a build lag: ``K ← K + (r − K) / lag`` each quarter — built by spending with
  a lag, and depreciating back when spending falls;
* the **response** to capacity is concave: ``h(K) = (K^ρ − 1) / ρ`` (``ln K`` at ρ = 0), with
  ρ the uncertainty ``returns_concavity``, so doubling resources does not double progress.
  For the NHS and safer streets, whose responses were measured on the whole health or police
  budget, K is first scaled to that budget by ``base_share`` (the mission money's share).

Two laws use them:

:class:`AdjustLaw` (NHS, opportunity, safer streets, growth) works on a transformed scale
``x`` (logit of a share, log of a count, or the rate itself). The level the system tends to,
``x* = e + s·h(K)``, moves with an underlying equilibrium ``e`` (a random walk with drift,
the drift fitted to history) and with capacity (response ``s``); the indicator adjusts toward
it at speed ``a`` per quarter with transitory noise ``σ``.

:class:`StockLaw` (clean power) keeps clean generation ``G`` and demand ``D`` in units of the
start year's demand: capacity commissions new clean generation at the fitted build rate × h(K)
each quarter (non-negative, lognormal noise), demand grows at ``power_demand_growth``, and a
retirement shock removes plant. The share ``G / D`` cannot fall without a shock or demand
outgrowing the build.

All draws come from one stream, a fixed number per quarter (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SCALES = ("logit", "log", "linear")
"""Transformed scales an :class:`AdjustLaw` works on."""


def to_scale(value: float | np.ndarray, scale: str) -> float | np.ndarray:
    """A real value (a % share, a count or a rate) on the law's transformed scale."""
    if scale == "logit":
        p = np.clip(np.asarray(value, dtype=float) / 100.0, 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))
    if scale == "log":
        return np.log(np.maximum(value, 1e-9))
    return np.asarray(value, dtype=float)


def from_scale(x: float | np.ndarray, scale: str) -> float | np.ndarray:
    """Inverse of :func:`to_scale`."""
    if scale == "logit":
        return 100.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))
    if scale == "log":
        return np.exp(x)
    return np.asarray(x, dtype=float)


def response(capacity: float | np.ndarray, concavity: float) -> float | np.ndarray:
    """h(K) = (K^ρ − 1)/ρ, ln K at ρ = 0: the concave response to capacity (h(1) = 0)."""
    k = np.maximum(capacity, 1e-9)
    if abs(concavity) < 1e-12:
        return np.log(k)
    return (k**concavity - 1.0) / concavity


@dataclass(frozen=True, slots=True)
class AdjustLaw:
    """Partial adjustment toward an equilibrium moved by capacity (see the module docstring).

    Attributes:
        scale: transformed scale (``logit``, ``log`` or ``linear``).
        speed: a, share of the gap to equilibrium closed per quarter (0–1].
        noise: σ, sd of the transitory shock per quarter (scale units).
        walk: sd of the equilibrium's random walk per quarter (scale units).
        drift: the equilibrium's drift per year under the status quo (scale units).
        response: s, equilibrium shift per unit of h(K) (scale units; negative where more
            capacity lowers the indicator, as for knife crime).
        lag: quarters over which capacity follows resourcing.
        offset: equilibrium at the start minus the start level (scale units).
        base_share: the share of the spending the response was measured on that the
            mission's drive stands for (1: the response is per unit of the drive itself).
    """

    scale: str
    speed: float
    noise: float
    walk: float
    drift: float
    response: float
    lag: float
    offset: float = 0.0
    base_share: float = 1.0


@dataclass(frozen=True, slots=True)
class StockLaw:
    """Clean generation as a stock commissioned by capacity (see the module docstring).

    Attributes:
        build: clean generation commissioned per year at the status quo's capacity, in units of
            the start year's demand.
        build_noise: sd of the log of a year's build (lognormal, so the build is never
            negative).
        demand_growth: demand growth, % a year.
        lag: quarters over which capacity follows resourcing (pipeline: consent, grid, build).
        base_share: as :class:`AdjustLaw`'s.
    """

    build: float
    build_noise: float
    demand_growth: float
    lag: float
    base_share: float = 1.0


Law = AdjustLaw | StockLaw


@dataclass(slots=True)
class CapacityStep:
    """What one quarter of delivery produced, per mission."""

    resourcing: np.ndarray
    """Drive relative to the status quo's reference (1 = status quo)."""
    capacity: np.ndarray
    """Capacity index after the quarter (1 = status quo)."""
    real: np.ndarray
    """Indicator values in real units after the quarter."""


class CapacityEngine:
    """The five missions' capacity stocks and indicators, advanced one quarter at a time.

    Args:
        laws: one law per mission.
        start: indicator values in real units at the start.
        reference: the status quo's mean drive per quarter (rows) and mission (columns)
            (``data/delivery.toml``); after its last row, the last row.
        concavity: ρ of :func:`response` (uncertainty ``returns_concavity``).
        rng: the stream every draw comes from (two normal draws per mission per quarter).
    """

    def __init__(
        self,
        laws: tuple[Law, ...],
        start: np.ndarray,
        reference: np.ndarray,
        concavity: float,
        rng: np.random.Generator,
    ):
        self.laws = laws
        self.rng = rng
        self.reference = np.atleast_2d(np.asarray(reference, dtype=float))
        self.concavity = float(concavity)
        n = len(laws)
        self.capacity = np.ones(n)
        self.real = np.asarray(start, dtype=float).copy()
        self.x = np.zeros(n)
        self.equilibrium = np.zeros(n)
        self.generation = np.zeros(n)
        self.demand = np.ones(n)
        for j, law in enumerate(laws):
            if isinstance(law, AdjustLaw):
                self.x[j] = float(to_scale(self.real[j], law.scale))
                self.equilibrium[j] = self.x[j] + law.offset
            else:
                self.generation[j] = self.real[j] / 100.0
        self.base_share = np.array([law.base_share for law in laws])
        self.quarters = 0

    def step(self, drive: np.ndarray, capacity_factor: np.ndarray | None = None) -> CapacityStep:
        """Advance one quarter with this quarter's drive per mission.

        Args:
            drive: each mission's drive (public and private contribution, as the contribution
                step computes it), compared with the reference.
            capacity_factor: share of capacity a shock leaves working this quarter (1: none).
        """
        n = len(self.laws)
        shocks = self.rng.standard_normal((2, n))
        row = self.reference[min(self.quarters, len(self.reference) - 1)]
        r = np.asarray(drive, dtype=float) / row
        for j, law in enumerate(self.laws):
            self.capacity[j] += (r[j] - self.capacity[j]) / max(law.lag, 1.0)
        working = self.capacity if capacity_factor is None else self.capacity * capacity_factor
        # Capacity of the spending base the response was measured on (the drive is a part).
        h = response(1.0 + self.base_share * (working - 1.0), self.concavity)
        for j, law in enumerate(self.laws):
            if isinstance(law, AdjustLaw):
                self.equilibrium[j] += law.drift / 4.0 + law.walk * shocks[0, j]
                target = self.equilibrium[j] + law.response * h[j]
                self.x[j] += law.speed * (target - self.x[j]) + law.noise * shocks[1, j]
                self.real[j] = float(from_scale(self.x[j], law.scale))
            else:
                built = max(1.0 + h[j], 0.0) * law.build / 4.0
                built *= np.exp(law.build_noise / 2.0 * shocks[0, j] - law.build_noise**2 / 8.0)
                self.generation[j] += built
                self.demand[j] *= (1.0 + law.demand_growth / 100.0) ** 0.25
                self.real[j] = 100.0 * min(self.generation[j] / self.demand[j], 1.0)
        self.quarters += 1
        return CapacityStep(r, self.capacity.copy(), self.real.copy())

    def shift(self, mission: int, amount: float) -> None:
        """Move one indicator by ``amount`` real units now (a shock); the equilibrium stays.

        For clean power a negative amount retires plant (generation falls by that share of
        demand, permanently).
        """
        law = self.laws[mission]
        if isinstance(law, AdjustLaw):
            value = self.real[mission] + amount
            self.x[mission] = float(to_scale(value, law.scale))
            self.real[mission] = float(from_scale(self.x[mission], law.scale))
        else:
            g = self.generation[mission] + amount / 100.0 * self.demand[mission]
            self.generation[mission] = max(g, 0.0)
            ratio = self.generation[mission] / self.demand[mission]
            self.real[mission] = 100.0 * min(ratio, 1.0)

    def shift_equilibrium(self, mission: int, amount: float) -> None:
        """Move an :class:`AdjustLaw`'s equilibrium by ``amount`` scale units (a lasting shock)."""
        self.equilibrium[mission] += amount
