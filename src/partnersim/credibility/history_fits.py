"""Fit each mission's delivery law to its history and test it on held-out data (issue 15).

:mod:`partnersim.credibility.calibration` writes these fits, with the status quo's reference
drive, to ``data/delivery.toml``; ``python -m partnersim.credibility.history_fits`` prints the
hold-out table.

Each law of :mod:`partnersim.model.capacity` is fitted to the longest consistent series in
``data/history.toml`` with the resourcing series of ``data/capacity.toml``:

* **NHS** (RTT within 18 weeks, logit): monthly observations Aug 2007 – Jul 2019, before the
  pandemic; capacity follows real health spending relative to a fitted demand growth (with the
  mission's lag), so the 2007–12 rise under fast spending growth and the 2013–19 decline
  under slow growth identify the response, the demand growth and the adjustment speed.
* **Opportunity** (good level of development, logit): the 2013–19 profile's rise to a plateau
  gives the adjustment speed; the reformed profile's 2022–25 values give today's plateau.
* **Safer streets** (knife crime, log): changes within each recording basis (2011–20 and
  2020–25) net of police numbers (``police_elasticity``) give the drift and the random walk.
* **Growth** (real GDP growth): an AR(1) on 2010–19 gives persistence and volatility; the
  pandemic years 2020–22 are left out, the level is the OBR's trend (missions.toml).
* **Clean power** (low-carbon share, stock): clean generation (share × UK generation) 2014–19
  gives the build per year and its spread.

Every fit is deterministic. The **hold-out** refits each law on the data up to a cut-off and
forecasts the later observations (2,000 simulated paths, the historical resourcing known):
coverage of the held-out values by the 90 % band and the CRPS against a naive random walk with
drift fitted to the same data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares

from partnersim import data
from partnersim.data import MISSIONS
from partnersim.model.capacity import from_scale, to_scale
from partnersim.schema.levers import variable

DRAWS = 2000
"""Simulated paths behind each hold-out forecast."""


def logit(p_percent: np.ndarray | float) -> np.ndarray:
    """A % share on the logit scale (the NHS and opportunity laws' scale)."""
    return np.asarray(to_scale(p_percent, "logit"))


def expit(x: np.ndarray | float) -> np.ndarray:
    """Inverse of :func:`logit`, in %."""
    return np.asarray(from_scale(x, "logit"))


def crps_samples(samples: np.ndarray, y: float) -> float:
    """CRPS of an ensemble forecast at observation ``y`` (energy form, sorted samples)."""
    x = np.sort(np.asarray(samples, dtype=float))
    n = len(x)
    spread = 2.0 * np.sum(x * (2 * np.arange(1, n + 1) - n - 1)) / (n * n)
    return float(np.mean(np.abs(x - y)) - 0.5 * spread)


def crps_normal(mean: float, sd: float, y: float) -> float:
    """CRPS of a normal forecast (closed form, Gneiting & Raftery 2007)."""
    from scipy.stats import norm

    if sd <= 0:
        return abs(y - mean)
    z = (y - mean) / sd
    return float(sd * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / np.sqrt(np.pi)))


@dataclass(frozen=True, slots=True)
class Moment:
    """One observed quantity and the fitted law's value of it."""

    name: str
    observed: float
    fitted: float


@dataclass(frozen=True, slots=True)
class Holdout:
    """A law refitted up to ``cutoff`` and its forecast of the later observations."""

    cutoff: float
    dates: tuple[float, ...]
    observed: tuple[float, ...]
    low: tuple[float, ...]
    median: tuple[float, ...]
    high: tuple[float, ...]
    crps: float
    """Mean CRPS of the law's forecast (real units)."""
    crps_naive: float
    """Mean CRPS of a random walk with drift fitted to the same data."""

    @property
    def covered(self) -> int:
        """Held-out observations inside the 90 % band."""
        return int(
            sum(lo <= y <= hi for lo, y, hi in zip(self.low, self.observed, self.high, strict=True))
        )

    @property
    def covered_enough(self) -> bool:
        """At least half of the held-out observations inside the 90 % band."""
        return 2 * self.covered >= len(self.observed)

    @property
    def beats_naive(self) -> bool:
        """Whether the law's mean CRPS is no worse than the naive forecast's."""
        return self.crps <= self.crps_naive


@dataclass(frozen=True, slots=True)
class MissionFit:
    """One mission's fitted law: parameters, moments and hold-out."""

    mission: str
    law: str
    scale: str
    parameters: dict[str, float]
    moments: tuple[Moment, ...]
    holdout: Holdout
    series: str
    window: str
    n_observations: int
    note: str
    path_dates: tuple[float, ...] = ()
    path_fitted: tuple[float, ...] = ()
    """The fitted deterministic path (real units) over the window, for figures."""
    obs_dates: tuple[float, ...] = ()
    obs_values: tuple[float, ...] = ()


# -- history ---------------------------------------------------------------------------------


def _month(label: str) -> float:
    y, m = label.split("-")
    return int(y) + (int(m) - 0.5) / 12.0


def nhs_spending_growth(year: int) -> float:
    """Real health spending growth (%) in the financial year starting in ``year``.

    The year's own figure where capacity.toml has one, else the narrowest period average that
    covers it.
    """
    res = data.read("capacity")["nhs"]["resourcing"]
    by_year = dict(zip(res["years"], res["values"], strict=True))
    if year in by_year:
        return float(by_year[year])
    periods = [p for p in res["periods"] if p["start"] <= year <= p["end"]]
    if not periods:
        return float(res["long_run_growth"])
    return float(min(periods, key=lambda p: p["end"] - p["start"])["value"])


def _lagged(series: Callable[[np.ndarray], np.ndarray], t: np.ndarray, lag_q: float) -> np.ndarray:
    """First-order lag of a series (capacity following resourcing), on a quarterly grid."""
    grid = np.arange(t.min() - 3 * lag_q / 4, t.max() + 0.25, 0.25)
    raw = series(grid)
    out = np.empty_like(raw)
    out[0] = raw[0]
    for i in range(1, len(raw)):
        out[i] = out[i - 1] + (raw[i] - out[i - 1]) / max(lag_q, 1.0)
    return np.interp(t, grid, out)


# -- the laws on history ---------------------------------------------------------------------


def _adjust_path(
    t0: float,
    x0: float,
    dates: np.ndarray,
    equilibrium: Callable[[float], float],
    speed: float,
) -> np.ndarray:
    """Deterministic partial adjustment from (t0, x0), read at ``dates`` (quarterly steps)."""
    end = max(dates.max(), t0)
    grid = np.arange(t0, end + 0.25, 0.25)
    x = np.empty(len(grid))
    x[0] = x0
    for i in range(1, len(grid)):
        x[i] = x[i - 1] + speed * (equilibrium(grid[i - 1]) - x[i - 1])
    return np.interp(dates, grid, x)


def _adjust_draws(
    t0: float,
    x0: float,
    dates: np.ndarray,
    equilibrium: Callable[[float], float],
    speed: float,
    noise: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """``DRAWS`` stochastic paths of the partial adjustment, read at ``dates`` (draws × dates)."""
    grid = np.arange(t0, dates.max() + 0.25, 0.25)
    x = np.full(DRAWS, x0)
    out = np.empty((DRAWS, len(dates)))
    k = 0
    for i in range(1, len(grid)):
        x = x + speed * (equilibrium(grid[i - 1]) - x) + noise * rng.standard_normal(DRAWS)
        while k < len(dates) and dates[k] <= grid[i] + 1e-9:
            out[:, k] = x
            k += 1
    while k < len(dates):
        out[:, k] = x
        k += 1
    return out


def _noise_from_residuals(residuals: np.ndarray, speed: float, n_params: int) -> float:
    """Quarterly innovation sd whose stationary deviation matches the residuals' sd."""
    dof = max(len(residuals) - n_params, 1)
    sd = float(np.sqrt(np.sum(residuals**2) / dof))
    return sd * float(np.sqrt(1 - (1 - speed) ** 2))


def _naive(dates: np.ndarray, values: np.ndarray, ahead: np.ndarray, observed: np.ndarray) -> float:
    """Mean CRPS of a random walk with drift fitted to (dates, values), forecasting ``ahead``."""
    dt = np.diff(dates)
    dv = np.diff(values)
    drift = float(dv.sum() / dt.sum())
    sd = float(np.std((dv - drift * dt) / np.sqrt(dt), ddof=1)) if len(dv) > 1 else abs(drift)
    h = ahead - dates[-1]
    return float(
        np.mean(
            [
                crps_normal(values[-1] + drift * hi, sd * np.sqrt(hi), y)
                for hi, y in zip(h, observed, strict=True)
            ]
        )
    )


def _holdout(
    cutoff: float,
    dates: np.ndarray,
    observed: np.ndarray,
    draws_real: np.ndarray,
    fit_dates: np.ndarray,
    fit_values: np.ndarray,
) -> Holdout:
    lo, med, hi = np.percentile(draws_real, [5, 50, 95], axis=0)
    crps = float(np.mean([crps_samples(draws_real[:, k], y) for k, y in enumerate(observed)]))
    return Holdout(
        cutoff=cutoff,
        dates=tuple(float(d) for d in dates),
        observed=tuple(float(v) for v in observed),
        low=tuple(float(v) for v in lo),
        median=tuple(float(v) for v in med),
        high=tuple(float(v) for v in hi),
        crps=crps,
        crps_naive=_naive(fit_dates, fit_values, dates, observed),
    )


def fit_nhs(lag: float, seed: int = 0) -> MissionFit:
    """RTT within 18 weeks against health spending relative to demand, 2007–19."""
    obs = data.read("history")["nhs"]["monthly_observations"]
    t = np.array([_month(m) for m in obs["months"]])
    y = np.array(obs["values"], dtype=float)
    keep = t < 2020.0
    t, y = t[keep], y[keep]

    # ln(spending / demand), accumulated by quarter from 2005 and lagged (capacity), on a grid.
    grid = np.arange(2005.25, 2021.0, 0.25)
    growth = np.array([nhs_spending_growth(int(v)) for v in np.floor(grid - 0.25)])

    def log_capacity(demand: float) -> Callable[[float], float]:
        raw = np.cumsum((growth - demand) / 400.0)
        lagged = np.empty_like(raw)
        lagged[0] = raw[0]
        for i in range(1, len(raw)):
            lagged[i] = lagged[i - 1] + (raw[i] - lagged[i - 1]) / max(lag, 1.0)
        return lambda u: float(np.interp(u, grid, lagged))

    def path(theta: np.ndarray, dates: np.ndarray, t0: float, x0: float) -> np.ndarray:
        e0, s, demand, speed = theta
        cap = log_capacity(demand)
        return _adjust_path(t0, x0, dates, lambda u: e0 + s * cap(u), speed)

    def fit(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tt, yy = t[mask], y[mask]

        def resid(theta: np.ndarray) -> np.ndarray:
            return path(theta, tt[1:], tt[0], float(logit(yy[0]))) - logit(yy[1:])

        sol = least_squares(
            resid,
            x0=[2.0, 20.0, 3.0, 0.1],
            bounds=([-2.0, 0.0, -5.0, 0.01], [6.0, 200.0, 10.0, 1.0]),
        )
        return sol.x, sol.fun

    theta, res = fit(np.ones(len(t), dtype=bool))
    e0, s, demand, speed = (float(v) for v in theta)
    noise = _noise_from_residuals(res, speed, 4)
    # Hold-out: fit to 2016 and forecast 2017–19 from the last observation before the cut-off.
    cutoff = 2017.0
    before = t < cutoff
    th, res_h = fit(before)
    noise_h = _noise_from_residuals(res_h, float(th[3]), 4)
    cap = log_capacity(float(th[2]))
    rng = np.random.default_rng(seed)
    later = t[~before]
    draws = _adjust_draws(
        float(t[before][-1]),
        float(logit(y[before][-1])),
        later,
        lambda u: float(th[0]) + float(th[1]) * cap(u),
        float(th[3]),
        noise_h,
        rng,
    )
    holdout = _holdout(cutoff, later, y[~before], expit(draws), t[before], y[before])
    fitted = expit(path(theta, t[1:], t[0], float(logit(y[0]))))
    moments = [
        Moment(f"RTT {_date(d)}", float(o), float(f))
        for d, o, f in zip(t[1:], y[1:], fitted, strict=True)
    ]
    rises = (y[t < 2013][-1] - y[0]) / (t[t < 2013][-1] - t[0])
    fit_rise = (fitted[t[1:] < 2013][-1] - y[0]) / (t[t < 2013][-1] - t[0])
    moments.append(Moment("rise 2007–12 (pp/yr)", float(rises), float(fit_rise)))
    return MissionFit(
        mission="nhs",
        law="adjust",
        scale="logit",
        parameters={
            "speed": speed,
            "noise": noise,
            "walk": 0.0,
            "response": s,
            "demand_growth": demand,
            "offset": 0.0,
            "equilibrium_2007": e0,
        },
        moments=tuple(moments),
        holdout=holdout,
        series="nhs.monthly_observations; capacity.toml nhs.resourcing",
        window=f"{_date(t[0])}–{_date(t[-1])}",
        n_observations=len(t),
        note=(
            "Capacity = real health spending ÷ demand, lagged; the 2007–12 rise also had the "
            "18-week target's introduction (Dec 2008), which this fit attributes to resourcing."
        ),
        path_dates=tuple(float(v) for v in t[1:]),
        path_fitted=tuple(float(v) for v in fitted),
        obs_dates=tuple(float(v) for v in t),
        obs_values=tuple(float(v) for v in y),
    )


def fit_opportunity(baseline: float, seed: int = 0) -> MissionFit:
    """Good level of development: speed from the 2013–19 profile, plateau from 2022–25."""
    h = data.read("history")["opportunity"]
    years = np.array(h["years"], dtype=float) + 0.5
    y = np.array(h["values"], dtype=float)
    frame = np.array(h["framework_by_year"])
    old = frame == frame[0]
    t1, y1 = years[old], y[old]
    t2, y2 = years[~old], y[~old]

    def fit_old(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        tt, yy = t1[mask], y1[mask]

        def resid(theta: np.ndarray) -> np.ndarray:
            e, speed = theta
            x0 = float(logit(yy[0]))
            return _adjust_path(tt[0], x0, tt[1:], lambda _u: e, speed) - logit(yy[1:])

        sol = least_squares(resid, x0=[1.0, 0.1], bounds=([-3.0, 0.005], [4.0, 1.0]))
        return sol.x, sol.fun

    (e1, speed), res1 = fit_old(np.ones(len(t1), dtype=bool))
    # Today's plateau: the reformed profile's values at the same speed.
    x2 = float(logit(y2[0]))
    sol2 = least_squares(
        lambda th: _adjust_path(t2[0], x2, t2[1:], lambda _u: th[0], speed) - logit(y2[1:]),
        x0=[1.0],
        bounds=([-3.0], [4.0]),
    )
    e2 = float(sol2.x[0])
    noise = _noise_from_residuals(np.concatenate([res1, sol2.fun]), speed, 3)
    cutoff = 2017.0
    before = t1 < cutoff
    (eh, sh), res_h = fit_old(before)
    rng = np.random.default_rng(seed)
    later = t1[~before]
    draws = _adjust_draws(
        float(t1[before][-1]),
        float(logit(y1[before][-1])),
        later,
        lambda _u: float(eh),
        float(sh),
        # Two parameters on four points leave one degree of freedom: the noise is pooled
        # with the reformed profile's residuals (2022–25, a different profile, not the
        # held-out observations).
        _noise_from_residuals(np.concatenate([res_h, sol2.fun]), float(sh), 3),
        rng,
    )
    holdout = _holdout(cutoff, later, y1[~before], expit(draws), t1[before], y1[before])
    f1 = expit(_adjust_path(t1[0], float(logit(y1[0])), t1[1:], lambda _u: e1, speed))
    f2 = expit(_adjust_path(t2[0], x2, t2[1:], lambda _u: e2, speed))
    moments = [
        Moment(f"GLD {int(d)}", float(o), float(f))
        for d, o, f in zip(t1[1:], y1[1:], f1, strict=True)
    ]
    moments += [
        Moment(f"GLD {int(d)} (reformed)", float(o), float(f))
        for d, o, f in zip(t2[1:], y2[1:], f2, strict=True)
    ]
    moments.append(Moment("plateau, 2012 profile (%)", float(y1[-1]), float(expit(e1))))
    return MissionFit(
        mission="opportunity",
        law="adjust",
        scale="logit",
        parameters={
            "speed": float(speed),
            "noise": noise,
            "walk": 0.0,
            "offset": e2 - float(logit(baseline)),
            "plateau": float(expit(e2)),
            "plateau_2012_profile": float(expit(e1)),
            "start_level": baseline,
        },
        moments=tuple(moments),
        holdout=holdout,
        series="opportunity",
        window="2013–2019 and 2022–2025 (two profiles)",
        n_observations=len(y),
        note=(
            "No series links early-years resourcing to the measure: the response is the "
            "uncertainty early_years_response."
        ),
        path_dates=tuple(float(v) for v in np.concatenate([t1[1:], t2[1:]])),
        path_fitted=tuple(float(v) for v in np.concatenate([f1, f2])),
        obs_dates=tuple(float(v) for v in years),
        obs_values=tuple(float(v) for v in y),
    )


def _ye(label: str) -> float:
    """'YE Mar 2020' → the decimal year at the end of that 12-month period."""
    _, month, year = label.split()
    months = {"Mar": 3, "Jun": 6, "Sep": 9, "Dec": 12}
    return int(year) + months[month] / 12.0


def _knife_segments() -> list[tuple[np.ndarray, np.ndarray]]:
    """Knife crime on each recording basis: the 2011–20 old method and the 2025 all-forces basis."""
    h = data.read("history")["safe_streets"]
    old_t = [2011.25, 2018.25, 2019.25, 2020.25]
    old_v = [30620.0, 40215.0, 43706.0, 46265.0]
    new = h["all_forces_2025_basis"]
    new_t = [_ye(p) for p in new["periods"]]
    new_v = [float(v) for v in new["values"]]
    # The YE Sep 2024 figure as first published (55,008) was revised to 55,149: use the revision.
    order = np.argsort(new_t)
    return [
        (np.array(old_t), np.array(old_v)),
        (np.array(new_t)[order], np.array(new_v)[order]),
    ]


def fit_safe_streets(elasticity: float, lag: float, seed: int = 0) -> MissionFit:
    """Knife crime (log): drift and random walk within each basis, net of police numbers."""
    segments = _knife_segments()

    res = data.read("capacity")["safe_streets"]["resourcing"]
    p_years = np.array(res["years"], dtype=float) + 0.25
    p_values = np.log(np.array(res["values"], dtype=float))

    def police_log(tt: np.ndarray) -> np.ndarray:
        return _lagged(lambda g: np.interp(g, p_years, p_values), tt, lag)

    def increments(cut: float | None = None):
        dts, nets = [], []
        for tt, vv in segments:
            if cut is not None:
                keep = tt < cut
                tt, vv = tt[keep], vv[keep]
            if len(tt) < 2:
                continue
            dx = np.diff(np.log(vv))
            dp = np.diff(police_log(tt))
            dts.append(np.diff(tt))
            nets.append(dx - elasticity * dp)
        return np.concatenate(dts), np.concatenate(nets)

    def mle(dt: np.ndarray, net: np.ndarray) -> tuple[float, float]:
        drift = float(net.sum() / dt.sum())
        var = float(np.mean((net - drift * dt) ** 2 / dt))
        return drift, float(np.sqrt(var))

    dt, net = increments()
    drift, sd_year = mle(dt, net)
    cutoff = 2024.0
    dth, neth = increments(cutoff)
    drift_h, sd_h = mle(dth, neth)
    tt, vv = segments[1]
    before = tt < cutoff
    later = tt[~before]
    rng = np.random.default_rng(seed)
    t0 = float(tt[before][-1])
    h = later - t0
    pol = police_log(np.concatenate([[t0], later]))
    mean = np.log(vv[before][-1]) + drift_h * h + elasticity * (pol[1:] - pol[0])
    draws = np.exp(mean + sd_h * np.sqrt(h) * rng.standard_normal((DRAWS, len(h))))
    holdout = _holdout(cutoff, later, vv[~before], draws, tt[before], vv[before])
    moments = [Moment("drift net of police (%/yr)", float(100 * drift), float(100 * drift))]
    for k, (ts, vs) in enumerate(segments):
        span = ts[-1] - ts[0]
        obs_rate = 100 * np.log(vs[-1] / vs[0]) / span
        pol_s = police_log(ts)
        fit_rate = 100 * (drift + elasticity * (pol_s[-1] - pol_s[0]) / span)
        moments.append(
            Moment(f"basis {k + 1} change {ts[0]:.2f}–{ts[-1]:.2f} (%/yr)", obs_rate, fit_rate)
        )
    return MissionFit(
        mission="safe_streets",
        law="adjust",
        scale="log",
        parameters={
            "speed": 1.0,
            "noise": 0.0,
            "walk": sd_year / 2.0,
            "drift": drift,
            "offset": 0.0,
            "police_elasticity_used": elasticity,
        },
        moments=tuple(moments),
        holdout=holdout,
        series=(
            "safe_streets (old basis) and safe_streets.all_forces_2025_basis; "
            "capacity.toml safe_streets.resourcing"
        ),
        window="2011–2020 (old method) and 2020–2025 (all forces)",
        n_observations=sum(len(s[0]) for s in segments),
        note=(
            "Only changes within one recording basis are used; the 2014–19 rise is larger "
            "than police cuts explain, so most of it sits in the drift."
        ),
        obs_dates=tuple(float(v) for s in segments for v in s[0]),
        obs_values=tuple(float(v) for s in segments for v in s[1]),
    )


def fit_growth(seed: int = 0) -> MissionFit:
    """Real GDP growth: AR(1) on 2010–19 (pandemic years left out)."""
    h = data.read("history")["growth"]
    years = np.array(h["years"], dtype=float)
    y = np.array(h["values"], dtype=float)
    keep = years <= 2019
    years, y = years[keep], y[keep]

    def ar1(yy: np.ndarray) -> tuple[float, float, float]:
        prev, nxt = yy[:-1], yy[1:]
        phi = float(np.cov(prev, nxt, ddof=1)[0, 1] / np.var(prev, ddof=1))
        phi = float(np.clip(phi, 0.05, 0.95))
        mu = float((nxt.mean() - phi * prev.mean()) / (1 - phi))
        res = nxt - (mu + phi * (prev - mu))
        return mu, phi, float(np.sqrt(np.sum(res**2) / max(len(res) - 2, 1)))

    mu, phi, sd = ar1(y)
    speed = 1.0 - phi**0.25
    # Quarterly noise with the same stationary spread as the annual AR(1).
    noise = sd / np.sqrt(1 - phi**2) * np.sqrt(1 - (1 - speed) ** 2)
    cutoff = 2017.0
    before = years < cutoff
    mu_h, phi_h, sd_h = ar1(y[before])
    rng = np.random.default_rng(seed)
    later = years[~before]
    steps = (later - years[before][-1]).astype(int)
    x = np.full(DRAWS, y[before][-1])
    draws = np.empty((DRAWS, len(later)))
    for k in range(1, steps.max() + 1):
        x = mu_h + phi_h * (x - mu_h) + sd_h * rng.standard_normal(DRAWS)
        for j in np.nonzero(steps == k)[0]:
            draws[:, j] = x
    holdout = _holdout(cutoff, later, y[~before], draws, years[before], y[before])
    moments = (
        Moment("mean growth 2010–19 (%/yr)", float(y.mean()), mu),
        Moment("sd of growth 2010–19 (pp)", float(y.std(ddof=1)), sd / np.sqrt(1 - phi**2)),
        Moment("lag-1 autocorrelation", float(np.corrcoef(y[:-1], y[1:])[0, 1]), phi),
    )
    return MissionFit(
        mission="growth",
        law="adjust",
        scale="linear",
        parameters={
            "speed": float(speed),
            "noise": float(noise),
            "walk": 0.0,
            "offset": 0.0,
            "mean_2010_2019": mu,
            "annual_persistence": phi,
            "annual_sd": sd,
        },
        moments=moments,
        holdout=holdout,
        series="growth",
        window="2010–2019",
        n_observations=len(y),
        note=(
            "The equilibrium is the OBR's 1.5 %/yr trend (missions.toml), below the 2010–19 "
            "mean: persistence and volatility come from history, the level from the OBR."
        ),
        obs_dates=tuple(float(v) for v in years),
        obs_values=tuple(float(v) for v in y),
    )


def _generation(years: np.ndarray) -> np.ndarray:
    """UK generation (TWh) by year, log-linear between the years capacity.toml gives."""
    g = data.read("capacity")["clean_power"]["generation_total"]
    return np.exp(np.interp(years, g["years"], np.log(g["values"])))


def fit_clean_power(seed: int = 0) -> MissionFit:
    """Clean generation (share × generation) 2014–19: build per year and its spread."""
    h = data.read("history")["clean_power"]
    years = np.array(h["years"], dtype=float)
    share = np.array(h["values"], dtype=float)
    gen = _generation(years)
    clean = share / 100.0 * gen  # TWh

    def build(mask: np.ndarray) -> tuple[float, float]:
        inc = np.diff(clean[mask])
        mean = float(inc.mean())
        cv = float(inc.std(ddof=1) / max(mean, 1e-9))
        return mean, float(np.sqrt(np.log(1 + cv**2)))

    fit_window = years <= 2019
    b, noise = build(fit_window)
    start_demand = float(_generation(np.array([2024.0]))[0])
    cutoff = 2020.0
    before = years < cutoff
    b_h, noise_h = build(before)
    rng = np.random.default_rng(seed)
    later = years[~before]
    g = np.full(DRAWS, clean[before][-1])
    draws = np.empty((DRAWS, len(later)))
    for k in range(len(later)):
        add = b_h * np.exp(noise_h * rng.standard_normal(DRAWS) - noise_h**2 / 2)
        g = g + add
        draws[:, k] = 100.0 * np.minimum(g / _generation(later[k : k + 1])[0], 1.0)
    holdout = _holdout(cutoff, later, share[~before], draws, years[before], share[before])
    moments = (
        Moment("clean generation build 2014–19 (TWh/yr)", b, b),
        Moment(
            "share 2019 (%)",
            float(share[years == 2019][0]),
            float(100 * (clean[0] + b * 5) / gen[years == 2019][0]),
        ),
        Moment("share 2014 (%)", float(share[0]), float(share[0])),
    )
    return MissionFit(
        mission="clean_power",
        law="stock",
        scale="share",
        parameters={
            "build": b / start_demand,
            "build_noise": noise,
            "build_twh_per_year": b,
            "start_demand_twh": start_demand,
        },
        moments=moments,
        holdout=holdout,
        series=(
            "clean_power (UK low-carbon share, DUKES); capacity.toml clean_power.generation_total"
        ),
        window="2014–2019",
        n_observations=int(fit_window.sum()),
        note=(
            "The build is fitted to the UK series and applied to the GB Clean Power 2030 "
            "metric; weather and outages (the 2021 dip) are not represented."
        ),
        obs_dates=tuple(float(v) for v in years),
        obs_values=tuple(float(v) for v in share),
    )


def _date(t: float) -> str:
    y = int(t)
    m = round((t - y) * 12 + 0.5)
    return f"{y}-{min(max(m, 1), 12):02d}"


# -- the reference drive and the file ----------------------------------------------------------


def fit_laws(seed: int = 0) -> dict[str, MissionFit]:
    """Every mission's law fitted to history, with its hold-out (deterministic given ``seed``)."""
    baseline = {m.name: m.baseline for m in data.missions()}
    lags = data.assumptions().capacity
    fits = {
        "growth": fit_growth(seed),
        "clean_power": fit_clean_power(seed),
        "safe_streets": fit_safe_streets(
            variable("police_elasticity").default, lags.safe_streets_lag, seed
        ),
        "opportunity": fit_opportunity(baseline["opportunity"], seed),
        "nhs": fit_nhs(lags.nhs_lag, seed),
    }
    return {m: fits[m] for m in MISSIONS}


def holdout_table(fits: dict[str, MissionFit]) -> str:
    """The hold-out per mission as a Markdown table (coverage of the 90 % band, CRPS)."""
    lines = [
        "| mission | window | cut-off | held-out covered | CRPS law | CRPS naive |",
        "|---|---|---|---|---|---|",
    ]
    for m, f in fits.items():
        ho = f.holdout
        lines.append(
            f"| {m} | {f.window} | {ho.cutoff:g} | {ho.covered} of {len(ho.observed)} | "
            f"{ho.crps:.3g} | {ho.crps_naive:.3g} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(holdout_table(fit_laws()))


__all__ = [
    "Holdout",
    "MissionFit",
    "Moment",
    "crps_normal",
    "crps_samples",
    "fit_laws",
    "holdout_table",
]
