"""Mission indicators: Policy Priority Inference (PPI) dynamics in array form, without Mesa.

This is partnersim's public-contribution and indicator engine (DESIGN §5.3 and §5.7). It
follows ``policy_priority_inference.run_ppi`` (Guerrero & Castañeda; PyPI
``policy-priority-inference`` 3.0.7, MIT) step for step, generalised in three ways the
partnership layer needs:

* several *functionaries* may serve one indicator (ministry programmes and local authorities),
  each with its own PPI state; with one functionary per indicator it is PPI's case;
* each functionary's contribution carries an effectiveness weight (capability, coordination,
  local knowledge); weight 1 is PPI's case;
* an indicator's contribution can be topped up (private investment) and scaled (workforce
  cooperation or disputes); zero top-up and scale 1 are PPI's case.

One step of :meth:`PPIEngine.step`, for allocations ``P`` (money per functionary):

1. Directional learning: ``X += sign(ΔF·ΔX)·|ΔF|`` (keeping the last sign and change when
   undefined), then contribution ``C = P / (1 + exp(-X))``; ``P − C`` is diverted.
2. Monitoring: a functionary is caught with probability
   ``q_m · P / max(P in its audit group) · (P − C) / P``; benefits are
   ``F = ΔI_norm · C / P + (1 − θ · r_l) · (P − C) / P``.
3. Spillovers ``S_j = Σ_i A_ij · 1[I_i rose last step]``.
4. Growth probability ``γ_j = β_j · (w_j · (Σ_f∈j e_f C_f + private_j) + ΣC / (ΣP + 1)) /
   (1 + exp(−S_j))``; on success ``I_j += α_j`` else ``I_j −= α′_j``, clipped to bounds.

Source: Castañeda, Chávez-Juárez & Guerrero (2018) JEBO 154; Guerrero & Castañeda (2020)
Data & Policy; ``policy_priority_inference.run_ppi`` 3.0.7.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(slots=True)
class StepResult:
    """What one engine step produced (arrays are views owned by the engine; copy to keep)."""

    contributions: np.ndarray
    """C per functionary (money actually spent on the indicator)."""
    caught: np.ndarray
    """Whether each functionary's diversion was caught this step."""
    spillovers: np.ndarray
    """S per indicator."""
    drive: np.ndarray
    """γ / β per indicator: what reaches it (public and private contribution, spillovers)."""
    growth_prob: np.ndarray
    """γ per indicator, clipped to [0, 1]."""
    success: np.ndarray
    """Whether each indicator rose this step."""


class PPIEngine:
    """PPI's functionaries and indicators, advanced one step at a time.

    Args:
        initial_levels: I0, normalised indicator levels.
        alphas: α, size of a positive change per indicator.
        alphas_prime: α′, size of a negative change per indicator.
        betas: β, normalisation of the success probability per indicator.
        spillovers: A, directed spillover matrix (rows origins); its diagonal is ignored.
        functionary_indicator: index of the indicator each functionary serves.
        rng: the model's generator; every draw comes from it.
        initial_allocation: P at the start, used for PPI's random initial contributions.
        audit_group: group of each functionary for the ``max(P)`` of monitoring (PPI: one).
        lower: lower bound of each indicator (NaN: none).
        upper: upper bound of each indicator (NaN: none).
    """

    def __init__(
        self,
        initial_levels: np.ndarray,
        alphas: np.ndarray,
        alphas_prime: np.ndarray,
        betas: np.ndarray,
        spillovers: np.ndarray,
        functionary_indicator: np.ndarray,
        rng: np.random.Generator,
        *,
        initial_allocation: np.ndarray,
        audit_group: np.ndarray | None = None,
        lower: np.ndarray | None = None,
        upper: np.ndarray | None = None,
    ):
        n_ind = len(initial_levels)
        n_fun = len(functionary_indicator)
        self.rng = rng
        self.n_indicators = n_ind
        self.n_functionaries = n_fun
        self.alphas = np.asarray(alphas, dtype=float)
        self.alphas_prime = np.asarray(alphas_prime, dtype=float)
        self.betas = np.asarray(betas, dtype=float)
        a = np.array(spillovers, dtype=float)
        np.fill_diagonal(a, 0.0)
        self.A = a
        self.ind = np.asarray(functionary_indicator, dtype=np.intp)
        self.group = (
            np.zeros(n_fun, dtype=np.intp) if audit_group is None else np.asarray(audit_group)
        )
        self._group_ids = np.unique(self.group)
        self.lower = np.full(n_ind, np.nan) if lower is None else np.asarray(lower, dtype=float)
        self.upper = np.full(n_ind, np.nan) if upper is None else np.asarray(upper, dtype=float)
        self._has_lower = ~np.isnan(self.lower)
        self._has_upper = ~np.isnan(self.upper)
        # PPI's initial state: random benefits, actions, signs and lagged indicators.
        self.I = np.array(initial_levels, dtype=float)
        self.F = rng.random(n_fun)
        self.Ft = rng.random(n_fun)
        self.X = rng.random(n_fun) - 0.5
        self.Xt = rng.random(n_fun) - 0.5
        self.H = np.ones(n_fun)
        self.HC = np.ones(n_fun)
        self.signt = np.sign(rng.random(n_fun) - 0.5)
        self.changeFt = rng.random(n_fun) - 0.5
        self.C = rng.random(n_fun) * np.asarray(initial_allocation, dtype=float)
        self.It = rng.random(n_ind)

    # -- one step -----------------------------------------------------------------------------

    def contribute(
        self,
        allocation: np.ndarray,
        *,
        monitoring: float | np.ndarray,
        rule_of_law: float | np.ndarray,
        effectiveness: np.ndarray | float = 1.0,
        private: np.ndarray | float = 0.0,
        workforce: np.ndarray | float = 1.0,
        spillover_scale: float = 1.0,
    ) -> StepResult:
        """Steps 1–3 and the drive of step 4: what reaches each indicator, without moving it.

        The drive is ``γ / β``: ``(w_j · (Σ_f∈j e_f C_f + private_j) + ΣC / (ΣP + 1)) /
        (1 + exp(−S_j))``. :meth:`step` turns it into PPI's ±α moves; the partnership model
        turns it into capacity (:mod:`partnersim.model.capacity`) and sets the levels with
        :meth:`observe`. Arguments as :meth:`step`; the result's ``growth_prob`` is NaN and
        ``success`` all false (no PPI move is made).
        """
        P = allocation
        I, It = self.I, self.It
        rising = It < I
        delta = I - It
        total = np.abs(delta).sum()
        if total > 0:
            delta = delta / total

        # 1. Directional learning and contributions.
        changeF = self.F - self.Ft
        changeX = self.X - self.Xt
        sign = np.sign(changeF * changeX)
        still = changeF == 0
        changeF[still] = self.changeFt[still]
        undefined = sign == 0
        sign[undefined] = self.signt[undefined]
        self.Xt = self.X
        self.X = self.X + sign * np.abs(changeF)
        C = P / (1.0 + np.exp(-self.X))
        self.signt = sign
        self.changeFt = changeF
        self.C = C

        # 2. Monitoring and benefits.
        diverted_share = (P - C) / P
        caught = self.rng.random(self.n_functionaries) < (
            monitoring * P / self._group_max(P) * diverted_share
        )
        self.H[caught] += diverted_share[caught]
        self.HC[caught] += 1
        self.Ft = self.F
        self.F = delta[self.ind] * C / P + (1.0 - caught * rule_of_law) * diverted_share

        # 3. Spillovers from indicators that rose last step.
        S = rising @ self.A
        if spillover_scale != 1.0:
            S = S * spillover_scale

        # 4 (first half). What drives each indicator.
        public = np.bincount(self.ind, weights=effectiveness * C, minlength=self.n_indicators)
        aggregate = C.sum() / (P.sum() + 1.0)
        drive = (workforce * (public + private) + aggregate) / (1.0 + np.exp(-S))
        return StepResult(
            C,
            caught,
            S,
            drive,
            np.full(self.n_indicators, np.nan),
            np.zeros(self.n_indicators, dtype=bool),
        )

    def observe(self, levels: np.ndarray) -> None:
        """Set the indicators' new levels (moved by another law); the old ones become lagged."""
        self.It = self.I
        self.I = np.asarray(levels, dtype=float).copy()

    def step(
        self,
        allocation: np.ndarray,
        *,
        monitoring: float | np.ndarray,
        rule_of_law: float | np.ndarray,
        effectiveness: np.ndarray | float = 1.0,
        private: np.ndarray | float = 0.0,
        workforce: np.ndarray | float = 1.0,
        spillover_scale: float = 1.0,
    ) -> StepResult:
        """Advance functionaries and indicators one step (PPI's own indicator law).

        Args:
            allocation: P, money allocated to each functionary this step (> 0).
            monitoring: q_m, scalar or per functionary.
            rule_of_law: r_l, scalar or per functionary.
            effectiveness: weight of each functionary's contribution (1 = PPI).
            private: contribution added to each indicator from outside government.
            workforce: multiplier of each indicator's contribution (1 = PPI).
            spillover_scale: multiplier of the spillover matrix.

        Returns:
            The step's contributions, monitoring outcomes, spillovers, growth probabilities
            and successes.
        """
        result = self.contribute(
            allocation,
            monitoring=monitoring,
            rule_of_law=rule_of_law,
            effectiveness=effectiveness,
            private=private,
            workforce=workforce,
            spillover_scale=spillover_scale,
        )
        # 4 (second half). Growth probabilities and indicator moves.
        I = self.I
        gamma = self.betas * result.drive
        success = self.rng.random(self.n_indicators) < gamma
        new = np.where(success, I + self.alphas, I - self.alphas_prime)
        np.copyto(new, self.upper, where=self._has_upper & (new > self.upper))
        np.copyto(new, self.lower, where=self._has_lower & (new < self.lower))
        self.It = I
        self.I = new
        result.growth_prob = np.clip(gamma, 0.0, 1.0)
        result.success = success
        return result

    def _group_max(self, P: np.ndarray) -> np.ndarray | float:
        if len(self._group_ids) == 1:
            return P.max()
        out = np.empty_like(P)
        for g in self._group_ids:
            mask = self.group == g
            out[mask] = P[mask].max()
        return out

    def shift(self, indicator: int, amount: float) -> None:
        """Move one indicator by ``amount`` (an exogenous shock), within its bounds."""
        value = self.I[indicator] + amount
        if self._has_upper[indicator]:
            value = min(value, self.upper[indicator])
        if self._has_lower[indicator]:
            value = max(value, self.lower[indicator])
        self.I[indicator] = value

    @property
    def inefficiency(self) -> np.ndarray:
        """PPI's average caught inefficiency per functionary, H / HC."""
        return self.H / self.HC


def run_ppi(
    I0: np.ndarray,
    alphas: np.ndarray,
    alphas_prime: np.ndarray,
    betas: np.ndarray,
    A: np.ndarray | None = None,
    qm: float | np.ndarray = 0.5,
    rl: float | np.ndarray = 0.5,
    Imax: np.ndarray | None = None,
    Imin: np.ndarray | None = None,
    Bs: np.ndarray | float = 100.0,
    G: np.ndarray | None = None,
    T: int = 50,
    rng: np.random.Generator | int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run PPI's reference case (all indicators instrumental, one programme) on this engine.

    The same inputs as ``policy_priority_inference.run_ppi`` for that case, including PPI's
    own allocation rule (initial allocation proportional to gaps, propensities drifting with
    the inefficiency history); used to show that the engine reproduces PPI.

    Returns:
        ``(tsI, tsP, tsG)``: indicators, allocations and growth probabilities, each with one
        row per indicator and one column per step.
    """
    rng = np.random.default_rng(rng)
    I0 = np.asarray(I0, dtype=float)
    n = len(I0)
    budget = np.full(T, float(Bs)) if np.ndim(Bs) == 0 else np.asarray(Bs, dtype=float).ravel()
    T = len(budget)
    if G is not None:
        gaps = np.maximum(np.asarray(G, dtype=float) - I0, 0.0)
        p0 = gaps / gaps.sum()
    else:
        p0 = rng.random(n)
    P0 = budget[0] * p0 / p0.sum()
    P0[P0 == 0] = 1e-11
    P = P0.copy()
    engine = PPIEngine(
        I0,
        alphas,
        alphas_prime,
        betas,
        np.zeros((n, n)) if A is None else A,
        np.arange(n),
        rng,
        initial_allocation=P,
        lower=Imin,
        upper=Imax,
    )
    tsI = np.empty((n, T))
    tsP = np.empty((n, T))
    tsG = np.empty((n, T))
    for t in range(T):
        tsI[:, t] = engine.I
        tsP[:, t] = P
        result = engine.step(P, monitoring=qm, rule_of_law=rl)
        tsG[:, t] = result.growth_prob
        P0 += rng.random(n) * engine.inefficiency
        P = budget[t] * P0 / P0.sum()
    return tsI, tsP, tsG
