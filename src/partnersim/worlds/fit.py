"""One plausible world: a draw of the uncertain inputs, refitted and tested against history.

A world is a value for every declared uncertainty and every assumption with a plausible range
(:func:`factors`). :func:`fit_world` — the task each worker runs — makes the draw consistent
with the data before anything is concluded from it, and then tests it:

1. **Refit the delivery laws** whose fit depends on the draw: the NHS law is fitted to RTT
   2007–19 with the drawn ``capacity.nhs_lag``; the safer-streets law to knife crime with the
   drawn ``police_elasticity`` and ``capacity.safe_streets_lag``. The other laws' fits do not
   depend on any drawn value and are the shipped ones.
2. **Refit the status quo's reference drive** (what ``resourcing = 1`` means) in the drawn world,
   by the fixed point :mod:`partnersim.credibility.calibration` uses, started from the shipped
   reference. Without this a draw that changes how much money reaches a mission (a lower
   private return, say) would move the *status quo* off its fitted laws, and "the world is
   different" would be confused with "the model no longer matches history".
3. **History matching.** Each observed moment of each law's fit gets an implausibility
   ``I = |fitted − observed| / sd`` (sd: observation error and model discrepancy, declared in
   ``data/worlds.toml``); the world is ruled out when its largest ``I`` exceeds the threshold.
4. **The calibration criterion on fresh seeds.** The status quo, run on seeds not used in the
   refit, must reproduce its reference: each mission's mean resourcing must be 1 within its
   implausibility, ``|mean − 1| / sqrt(se_check² + se_fit² + d²)`` at most the threshold, with
   the seed standard errors of the check and of the refit and a discrepancy ``d``.

Everything a world needs to be run again — its values and its refitted laws with their
reference drive — is returned in the row, so an ensemble file is self-contained.
"""

from __future__ import annotations

import functools
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from partnersim import data
from partnersim.data import MISSIONS
from partnersim.schema.levers import SECTIONS, Parameter, Section, variable
from partnersim.schema.scenario import Scenario

if TYPE_CHECKING:
    from partnersim.credibility.history_fits import MissionFit

REFERENCE_STEPS = 40
"""Quarters of each refit run (as :mod:`partnersim.credibility.calibration`)."""

NOT_WORLD = frozenset({"shock", "shock_step"})
"""Uncertainties that are a scenario's choice of stress test, not a property of the world."""

REFIT = {
    "nhs": ("capacity.nhs_lag",),
    "safe_streets": ("police_elasticity", "capacity.safe_streets_lag"),
}
"""Laws whose fit to history depends on drawn values, and the values it depends on."""


# -- the settings of data/worlds.toml ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    """How worlds are refitted and tested (``data/worlds.toml``)."""

    threshold: float
    fit_seeds: int
    fit_iterations: int
    check_seeds: int
    resourcing_discrepancy: float
    sd: dict[str, dict[str, float]]
    """Per mission: ``default`` and per-moment sds."""

    def moment_sd(self, mission: str, moment: str) -> float:
        """The sd of one moment (observation error and model discrepancy together)."""
        table = self.sd[mission]
        return float(table.get(moment, table["default"]))

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain data (recorded with every ensemble)."""
        return {
            "threshold": self.threshold,
            "fit_seeds": self.fit_seeds,
            "fit_iterations": self.fit_iterations,
            "check_seeds": self.check_seeds,
            "resourcing_discrepancy": self.resourcing_discrepancy,
            "sd": self.sd,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Settings:
        """Settings from :meth:`to_dict`'s output."""
        return cls(
            float(raw["threshold"]),
            int(raw["fit_seeds"]),
            int(raw["fit_iterations"]),
            int(raw["check_seeds"]),
            float(raw["resourcing_discrepancy"]),
            {m: dict(v) for m, v in raw["sd"].items()},
        )


@functools.cache
def settings() -> Settings:
    """The shipped settings (``data/worlds.toml``)."""
    raw = data.read("worlds")
    sd = {
        m: {
            "default": float(t["default"]),
            **{k: float(v) for k, v in t.get("moments", {}).items()},
        }
        for m, t in raw["sd"].items()
    }
    missing = set(MISSIONS) - set(sd)
    if missing:
        raise ValueError(f"data/worlds.toml: no [sd.<mission>] table for {sorted(missing)}")
    return Settings.from_dict({**raw, "sd": sd})


# -- what a world varies -----------------------------------------------------------------------


def factors() -> tuple[Parameter, ...]:
    """Everything a world draws, each over its plausible range.

    The declared uncertainties (but the stress-test choice) and every assumption with a
    plausible range.
    """
    out = [
        p
        for p in SECTIONS[Section.UNCERTAINTIES]
        if p.name not in NOT_WORLD and p.kind in (int, float)
    ]
    out += [variable(name) for name, entry in data.assumption_table().items() if entry.plausible]
    return tuple(out)


def plausible_range(p: Parameter) -> tuple[float, float]:
    """The range worlds draw ``p`` from: its plausible range, else its bounds."""
    if p.plausible is not None:
        return float(p.plausible[0]), float(p.plausible[1])
    if p.low is None or p.high is None:
        raise ValueError(f"{p.name}: no plausible range and no bounds to draw from")
    return float(p.low), float(p.high)


def sample(n: int, seed: int, method: str = "lhs") -> list[dict[str, float | int]]:
    """``n`` draws of :func:`factors` over their plausible ranges (scipy's quasi-Monte Carlo).

    ``lhs``: a Latin hypercube (every factor's range cut into ``n`` strata, each used once);
    ``sobol``: a scrambled Sobol' sequence (best at a power of two). Integer factors take the
    integer whose stratum the draw falls in (each integer equally likely).
    """
    from scipy.stats import qmc

    params = factors()
    rng = np.random.default_rng(seed)
    if method == "lhs":
        engine: Any = qmc.LatinHypercube(d=len(params), rng=rng)
    elif method == "sobol":
        engine = qmc.Sobol(d=len(params), scramble=True, rng=rng)
    else:
        raise ValueError(f"unknown sampling method {method!r}; allowed: lhs, sobol")
    u = engine.random(n)
    draws = []
    for row in u:
        draw: dict[str, float | int] = {}
        for p, x in zip(params, row, strict=True):
            low, high = plausible_range(p)
            if p.kind is int:
                draw[p.name] = int(min(np.floor(low + x * (high - low + 1)), high))
            else:
                draw[p.name] = float(low + x * (high - low))
        draws.append(draw)
    return draws


# -- refitting ---------------------------------------------------------------------------------


@functools.cache
def _nhs_fit(lag: int) -> MissionFit:
    from partnersim.credibility.history_fits import fit_nhs

    return fit_nhs(float(lag), 0)


@functools.cache
def _safe_streets_fit(elasticity: float, lag: int) -> MissionFit:
    from partnersim.credibility.history_fits import fit_safe_streets

    return fit_safe_streets(elasticity, float(lag), 0)


def _value(values: dict[str, Any], name: str) -> Any:
    return values[name] if name in values else variable(name).default


def refit_laws(values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each mission's law row (``data/delivery.toml``'s) in the world of ``values``.

    Rows keep their ``moments`` (observed and fitted) for history matching; the reference drive
    is left as shipped (:func:`reference_drive` refits it).
    """
    shipped = data.read("delivery")
    rows = {r["mission"]: dict(r) for r in shipped["mission"]}
    fits = {
        "nhs": _nhs_fit(int(_value(values, "capacity.nhs_lag"))),
        "safe_streets": _safe_streets_fit(
            float(_value(values, "police_elasticity")),
            int(_value(values, "capacity.safe_streets_lag")),
        ),
    }
    for mission, f in fits.items():
        row = rows[mission]
        row.update(f.parameters)
        row["moments"] = [
            {"name": m.name, "observed": float(m.observed), "fitted": float(m.fitted)}
            for m in f.moments
        ]
    return rows


def implausibility(rows: dict[str, dict[str, Any]], s: Settings) -> dict[str, float]:
    """Per mission, the largest implausibility of its law's observed moments."""
    out = {}
    for mission in MISSIONS:
        worst = 0.0
        for m in rows[mission].get("moments", []):
            i = abs(float(m["fitted"]) - float(m["observed"])) / s.moment_sd(mission, m["name"])
            worst = max(worst, i)
        out[mission] = worst
    return out


def fit_from_rows(rows: dict[str, dict[str, Any]], reference: np.ndarray) -> data.DeliveryFit:
    """The model's :class:`~partnersim.data.DeliveryFit` of law rows and a reference drive."""
    mission_rows = []
    for j, m in enumerate(MISSIONS):
        row = {k: v for k, v in rows[m].items() if k != "moments"}
        row["reference_drive"] = [float(v) for v in reference[:, j]]
        mission_rows.append(row)
    return data.delivery_fit_from(
        {"method": "refitted world (partnersim.worlds)", "mission": mission_rows}
    )


def _status_quo(values: dict[str, Any]) -> Scenario:
    return Scenario.default().evolve(steps=REFERENCE_STEPS, **values)


def _drives(scenario: Scenario, fitted: data.DeliveryFit, seeds: list[int]) -> np.ndarray:
    """Drive per seed, quarter and mission of the status quo (seeds × quarters × missions)."""
    from partnersim.model.partnership import PartnershipModel

    out = np.zeros((len(seeds), scenario.steps, len(MISSIONS)))
    for i, seed in enumerate(seeds):
        model = PartnershipModel(scenario, rng=seed, fitted=fitted)
        for t in range(scenario.steps):
            model.step()
            quarter = model.quarter
            assert quarter is not None  # set by every step
            out[i, t] = quarter.drive
    return out


@functools.cache
def _shipped_drive(seeds: tuple[int, ...]) -> np.ndarray:
    """The shipped world's status-quo mean drive on ``seeds`` (computed once per process)."""
    scenario = Scenario.default().evolve(steps=REFERENCE_STEPS)
    return _drives(scenario, data.delivery_fit(), list(seeds)).mean(axis=0)


def reference_drive(
    scenario: Scenario, rows: dict[str, dict[str, Any]], seeds: tuple[int, ...], iterations: int
) -> tuple[np.ndarray, np.ndarray]:
    """The status quo's mean drive per quarter in this world, by common random numbers.

    The shipped reference times the ratio of this world's mean drive to the shipped world's on
    the same seeds, iterated to a fixed point from the shipped reference: on common seeds the
    two worlds' seed noise partly cancels in the ratio, and the shipped world refits to itself.
    Returns the reference and each seed's mean resourcing per mission under it (seeds ×
    missions; their spread is the refit's seed noise).
    """
    shipped = np.array(data.delivery_fit().reference, dtype=float)
    base = _shipped_drive(tuple(seeds))
    reference = shipped
    per_seed = np.ones((len(seeds), len(MISSIONS)))
    for _ in range(iterations):
        drives = _drives(scenario, fit_from_rows(rows, reference), list(seeds))
        new = shipped * drives.mean(axis=0) / base
        per_seed = (drives / new[None]).mean(axis=1)
        reference = new
    return reference, per_seed


# -- the task ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Draw:
    """One world to fit (picklable): its id, its seed and its drawn values."""

    world: int
    seed: int
    values: tuple[tuple[str, Any], ...]
    settings: Settings
    fit_seeds: tuple[int, ...]
    """Seeds of the reference refit, common to every world of an ensemble."""


def spawn_seeds(seed: int, n: int) -> list[int]:
    """``n`` run seeds from ``seed`` (``numpy.random.SeedSequence.spawn``; 63-bit)."""
    children = np.random.SeedSequence(seed).spawn(n)
    return [int(c.generate_state(1, np.uint64)[0] >> np.uint64(1)) for c in children]


def fit_world(draw: Draw) -> dict[str, Any]:
    """Refit one drawn world and test it (the worker task); returns its row.

    The row holds ``world``, ``seed``, ``accepted``, ``reason`` (why it was ruled out, else
    empty), the largest implausibility (``implausibility``) and each mission's
    (``implausibility.<mission>``), each mission's mean status-quo resourcing on the fresh seeds
    (``resourcing.<mission>``) and the largest implausibility of those against 1
    (``resourcing_implausibility``), the seconds spent fitting laws, refitting the reference and
    checking, the drawn values under their names, and ``fit``: the world's law rows and
    reference drive as JSON (what :class:`partnersim.worlds.World` runs).
    """
    s = draw.settings
    values = dict(draw.values)
    row: dict[str, Any] = {"world": draw.world, "seed": draw.seed}
    t0 = time.perf_counter()
    rows = refit_laws(values)
    implaus = implausibility(rows, s)
    t1 = time.perf_counter()
    check_seeds = spawn_seeds(draw.seed, s.check_seeds)
    scenario = _status_quo(values)
    reference, fit_res = reference_drive(scenario, rows, draw.fit_seeds, s.fit_iterations)
    t2 = time.perf_counter()
    check = (_drives(scenario, fit_from_rows(rows, reference), check_seeds) / reference).mean(
        axis=1
    )
    resourcing = check.mean(axis=0)
    se2 = check.var(axis=0, ddof=1) / len(check) + fit_res.var(axis=0, ddof=1) / len(fit_res)
    res_i = np.abs(resourcing - 1.0) / np.sqrt(se2 + s.resourcing_discrepancy**2)
    t3 = time.perf_counter()
    worst = max(implaus.values())
    reasons = []
    if worst > s.threshold:
        bad = [m for m, i in implaus.items() if i > s.threshold]
        reasons.append(f"implausible against history ({', '.join(bad)}: I = {worst:.2f})")
    off = [m for j, m in enumerate(MISSIONS) if res_i[j] > s.threshold]
    if off:
        reasons.append(
            f"status quo off its reference ({', '.join(off)}: I = {float(res_i.max()):.2f})"
        )
    row.update(
        accepted=not reasons,
        reason="; ".join(reasons),
        implausibility=worst,
        **{f"implausibility.{m}": implaus[m] for m in MISSIONS},
        **{f"resourcing.{m}": float(resourcing[j]) for j, m in enumerate(MISSIONS)},
        resourcing_implausibility=float(res_i.max()),
        seconds_laws=t1 - t0,
        seconds_reference=t2 - t1,
        seconds_check=t3 - t2,
        **values,
        fit=json.dumps(
            {
                "mission": [
                    {**rows[m], "reference_drive": [round(float(v), 6) for v in reference[:, j]]}
                    for j, m in enumerate(MISSIONS)
                ]
            },
            separators=(",", ":"),
        ),
    )
    return row
