"""The robust-design page: a finished optimisation's Pareto set, filtered and opened live.

Open a folder written by ``partnersim optimise`` (its ``pareto.parquet`` and manifest): a
trade-off plot of any two objectives coloured by a third column, parallel coordinates of the
levers and objectives, a range filter per objective that narrows both charts and the table,
and, for a chosen package (picked from a list, or by clicking its point or line), a button that
opens the live page with its levers set (through the page address, :mod:`partnersim.app.query`).
Labels and units come from the outcome and lever declarations (:mod:`partnersim.app.labels`);
an objective's label also says how it reduces its outcome over worlds and seeds. When
``partnersim report`` has written ``report/robustness.parquet``, it is shown too.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara

from partnersim.app.charts import AltairFigure
from partnersim.app.controls import scenario_files
from partnersim.app.labels import describe
from partnersim.app.query import CONTROLLED, encode_query, number_text
from partnersim.app.settings import results_dir, scenarios_dir
from partnersim.app.sweeps import folders_of_kind

KIND = "optimisation"
PARETO = "pareto.parquet"
ROBUSTNESS = Path("report") / "robustness.parquet"
VS_BASELINE = "_vs_baseline"
YES_NO = "1 = yes, 0 = no"


def optimisation_folders(root: Path) -> dict[str, Path]:
    """Optimisation folders under ``root`` (one level deep), newest first."""
    return folders_of_kind(root, KIND)


# -- what the columns mean ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the Pareto set as the page shows it.

    Attributes:
        name: the column in ``pareto.parquet``.
        label: what it is, in words (from the declarations).
        unit: its unit.
        role: ``lever``, ``objective`` or ``robustness``.
        larger_is_better: for objectives and robustness measures; ``None`` for levers.
        low: for levers, the lower end of the searched range (else ``None``).
        high: for levers, the upper end of the searched range (else ``None``).
    """

    name: str
    label: str
    unit: str
    role: str
    larger_is_better: bool | None = None
    low: float | None = None
    high: float | None = None

    def title(self, width: int | None = 48, better: bool = True) -> str | list[str]:
        """An axis or legend title: "label [unit]" and which way is better, wrapped."""
        text = f"{self.label} [{self.unit}]" if self.unit else self.label
        if better and self.larger_is_better is not None:
            text += " (higher is better)" if self.larger_is_better else " (lower is better)"
        if width is None or len(text) <= width:
            return text
        return textwrap.wrap(text, width)


def _without_note(label: str) -> str:
    """A label without a closing bracketed note ("… (compare scenarios by …)")."""
    return re.sub(r"\s*\([^()]*\)$", "", label)


def objective_column(entry: Mapping[str, Any], baseline: str) -> Column:
    """An objective of the manifest, labelled from its outcome's declaration and statistic."""
    outcome, statistic = entry.get("outcome") or "", entry.get("statistic", "mean")
    larger = entry.get("direction") != "minimise"
    if statistic == "satisficing" or not outcome:
        label, unit = "Share of worlds meeting every robustness criterion", "share of worlds"
        return Column(entry["name"], label, unit, "objective", larger)
    against = outcome.endswith(VS_BASELINE)
    label, unit = describe(outcome.removesuffix(VS_BASELINE))
    if against:
        label = f"{_without_note(label)}, change from {baseline}"
    if statistic == "mean" and unit == YES_NO:
        label, unit = f"P({label})", "probability"
    elif statistic == "percentile":
        label = f"{label}, in the {float(entry.get('percentile', 10)):g} % worst world"
    elif statistic == "worst":
        label = f"{label}, in the worst world"
    else:
        label = f"{label}, mean over worlds and seeds"
    return Column(entry["name"], label, unit, "objective", larger)


def lever_column(factor: Mapping[str, Any]) -> Column:
    """A searched lever, labelled from its declaration, with its searched range."""
    label, unit = describe(factor["name"])
    low, high = factor.get("low"), factor.get("high")
    return Column(
        factor["name"],
        label,
        unit,
        "lever",
        low=None if low is None else float(low),
        high=None if high is None else float(high),
    )


def robustness_columns(
    table: pd.DataFrame, objectives: Sequence[Column], criteria: Sequence[str]
) -> list[Column]:
    """The Pareto set's robustness columns: satisficing share and each outcome's largest regret."""
    out = []
    if "satisficing" in table:
        rule = "; ".join(criteria)
        label = "Share of worlds meeting every criterion" + (f" ({rule})" if rule else "")
        out.append(Column("satisficing", label, "share of worlds", "robustness", True))
    for column in table.columns:
        if column.endswith("_max_regret"):
            outcome = column.removesuffix("_max_regret")
            label, unit = describe(outcome.removesuffix(VS_BASELINE))
            if unit == YES_NO:
                unit = "probability"
            out.append(
                Column(column, f"{_without_note(label)}: largest regret", unit, "robustness", False)
            )
    return out


# -- the folder ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ParetoSet:
    """A finished optimisation's Pareto set, with what each column means.

    Attributes:
        path: the optimisation folder.
        manifest: its ``manifest.json``.
        table: ``pareto.parquet``: one row per package.
        levers: the searched levers, in the search's order.
        objectives: the objectives, in the search's order.
        robustness: satisficing and regret columns (when present).
    """

    path: Path
    manifest: Mapping[str, Any]
    table: pd.DataFrame
    levers: tuple[Column, ...]
    objectives: tuple[Column, ...]
    robustness: tuple[Column, ...]

    @classmethod
    def read(cls, folder: Path) -> ParetoSet:
        """The Pareto set of ``folder``.

        Raises:
            FileNotFoundError: the search has not finished (no ``pareto.parquet``).
            ValueError: the folder is not an optimisation, or its files cannot be read.
        """
        from partnersim import results

        manifest = results.read_manifest(folder)
        if manifest.get("kind") != KIND:
            raise ValueError(f"a {manifest.get('kind')!r} result, not an optimisation")
        table = pd.read_parquet(folder / PARETO).replace([np.inf, -np.inf], np.nan)
        baseline = str(manifest.get("baseline", "the baseline"))
        levers = tuple(lever_column(f) for f in manifest["factors"] if f["name"] in table)
        objectives = tuple(
            objective_column(m, baseline) for m in manifest["objectives"] if m["name"] in table
        )
        robust = robustness_columns(table, objectives, manifest.get("criteria", []))
        return cls(folder, manifest, table, levers, objectives, tuple(robust))

    @property
    def columns(self) -> dict[str, Column]:
        """Every described column by name: levers, objectives, robustness."""
        return {c.name: c for c in (*self.levers, *self.objectives, *self.robustness)}

    @property
    def base(self) -> str:
        """The name of the scenario the packages extend."""
        return str(self.manifest.get("base", ""))

    def package_levers(self, package: str) -> dict[str, Any]:
        """A package's lever values, as Python values of the levers' types."""
        row = self.table.loc[self.table["package"] == package].iloc[0]
        out = {}
        for c in self.levers:
            value = row[c.name]
            value = value.item() if hasattr(value, "item") else value
            p = CONTROLLED.get(c.name)
            if p is not None and p.kind is int:
                value = int(value)
            elif p is not None and p.kind is float:
                value = float(value)
            out[c.name] = value
        return out


def live_address(
    pareto: ParetoSet, package: str, scenarios: Sequence[str]
) -> tuple[str, str | None]:
    """The live page's address with ``package``'s levers, and a warning if it differs.

    The live page opens the search's base scenario when it is among ``scenarios`` (the live
    page's scenario files); otherwise its default scenario, with the package's levers, and
    the warning says so. Levers the live page has no control for are left out (and named).
    """
    levers = pareto.package_levers(package)
    shown = {k: v for k, v in levers.items() if k in CONTROLLED}
    problems = []
    if len(shown) < len(levers):
        problems.append(
            "not settable on the live page: " + ", ".join(sorted(set(levers) - set(shown)))
        )
    scenario = pareto.base if pareto.base in scenarios else None
    if scenario is None:
        problems.append(
            f"the base scenario {pareto.base!r} is not among the live page's scenario files, "
            "so the live page opens its default scenario with these levers"
        )
    return "/?" + encode_query(scenario, shown), "; ".join(problems) or None


# -- the charts ---------------------------------------------------------------------------------


def _is_nominal(column: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def _colour(frame: pd.DataFrame, column: Column | None):
    import altair as alt

    from partnersim.plots import OKABE_ITO

    if column is None:
        return alt.value("#0072B2")
    if _is_nominal(frame[column.name]):
        domain = sorted(frame[column.name].astype(str).unique())
        return alt.Color(
            f"{column.name}:N",
            scale=alt.Scale(domain=domain, range=list(OKABE_ITO[: len(domain)])),
            legend=alt.Legend(title=column.title(28, better=False)),
        )
    return alt.Color(
        f"{column.name}:Q",
        scale=alt.Scale(scheme="viridis", reverse=column.larger_is_better is False),
        legend=alt.Legend(title=column.title(28)),
    )


def _domain(values: pd.Series, column: Column | None = None) -> list[float] | None:
    low, high = float(values.min()), float(values.max())
    if not (np.isfinite(low) and np.isfinite(high)):
        return None  # no value to plot: let Vega-Lite choose
    bounded = column is not None and (
        column.unit == "probability" or column.unit.startswith("share")
    )
    if bounded and low >= 0 and high <= 1:
        return [-0.03, 1.03]  # a probability or share: its whole range
    pad = 0.05 * (high - low or abs(high) or 1)
    return [low - pad, high + pad]


def _scale(values: pd.Series, column: Column):
    import altair as alt

    domain = _domain(values, column)
    return alt.Scale(domain=domain) if domain else alt.Scale(zero=False)


def _tooltip(pareto: ParetoSet, names: Sequence[str]) -> list:
    import altair as alt

    out = [alt.Tooltip("package:N", title="package")]
    for name in dict.fromkeys(names):
        label = pareto.columns[name].label
        if _is_nominal(pareto.table[name]):
            out.append(alt.Tooltip(f"{name}:N", title=label))
        else:
            out.append(alt.Tooltip(f"{name}:Q", title=label, format=".4~g"))
    return out


def tradeoff_chart(
    pareto: ParetoSet,
    shown: pd.DataFrame,
    x: str,
    y: str,
    colour: str | None = None,
    selected: str | None = None,
):
    """Objective ``y`` against objective ``x`` for the packages ``shown``, coloured by ``colour``.

    The axes span the whole Pareto set, so filtering does not move them; packages filtered
    out are drawn as faint grey points, and the ``selected`` package is ringed.
    """
    import altair as alt

    columns = pareto.columns
    cx, cy = columns[x], columns[y]
    cc = columns.get(colour) if colour else None
    table = pareto.table
    enc = {
        "x": alt.X(f"{x}:Q", title=cx.title(), scale=_scale(table[x], cx)),
        "y": alt.Y(f"{y}:Q", title=cy.title(), scale=_scale(table[y], cy)),
    }
    names = [x, y, *([colour] if colour else []), *(c.name for c in pareto.levers)]
    hidden = table[~table["package"].isin(shown["package"])]
    layers = [
        alt.Chart(hidden, description="packages filtered out")
        .mark_circle(size=40, color="#bbbbbb", opacity=0.5)
        .encode(**enc),
        alt.Chart(shown, description="packages shown")
        .mark_circle(size=80, opacity=0.9)
        .encode(**enc, color=_colour(table, cc), tooltip=_tooltip(pareto, names)),
    ]
    if selected is not None and selected in set(shown["package"]):
        layers.append(
            alt.Chart(shown[shown["package"] == selected], description="selected package")
            .mark_point(size=260, shape="circle", color="#000000", strokeWidth=2, filled=False)
            .encode(**enc)
        )
    title = alt.TitleParams(
        text="Trade-off between two objectives",
        subtitle=f"{len(shown)} of {len(table)} Pareto packages shown"
        + ("; grey: filtered out" if len(hidden) else "")
        + ("; ringed: the chosen package" if selected else ""),
    )
    return alt.layer(*layers).properties(width=420, height=330, title=title)


def _value_text(c: Column, value: Any) -> str:
    """A lever's value exactly as searched; anything else to four figures."""
    value = value.item() if hasattr(value, "item") else value
    if c.role == "lever" or isinstance(value, str):
        return number_text(value)
    return "–" if pd.isna(value) else f"{float(value):.4g}"


def axis_label(c: Column, wrap: int = 16) -> list[str]:
    """A parallel-coordinates axis label as lines: label, [unit], and which way is better."""
    lines = textwrap.wrap(c.label, wrap)[:6]
    if c.unit:
        lines += textwrap.wrap(f"[{c.unit}]", wrap)[:2]
    if c.larger_is_better is not None:
        lines.append("↑ better" + ("" if c.larger_is_better else " (lower)"))
    return lines


def axis_spacing(n: int) -> int:
    """Pixels between two parallel axes: room for labels, up to 720 pixels in all."""
    return int(max(70, min(115, 720 / max(n, 1))))


def parallel_frame(pareto: ParetoSet, shown: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The parallel-coordinates data: one row per package and axis, and the axes' end labels.

    Each axis is scaled to 0–1: a lever over its searched range, an objective over the Pareto
    set's range, turned so that better is up; a categorical lever by its listed values.
    """
    table = pareto.table
    rows, ends = [], []
    axes = [*pareto.levers, *pareto.objectives]
    wrap = max(10, axis_spacing(len(axes)) // 7)
    for order, c in enumerate(axes):
        values = table[c.name]
        factor = next((f for f in pareto.manifest["factors"] if f["name"] == c.name), None)
        listed = factor.get("values") if factor else None
        if listed:
            codes = {v: i for i, v in enumerate(listed)}
            top = max(len(listed) - 1, 1)
            norm = shown[c.name].map(lambda v, codes=codes, top=top: codes.get(v, 0) / top)
            low_text, high_text = str(listed[0]), str(listed[-1])
        else:
            low = c.low if c.low is not None else float(values.min())
            high = c.high if c.high is not None else float(values.max())
            span = (high - low) or 1.0
            norm = (shown[c.name].astype(float) - low) / span
            if c.larger_is_better is False:
                norm = 1 - norm
                low, high = high, low
            low_text, high_text = f"{low:.3g}", f"{high:.3g}"
        label = "\n".join(axis_label(c, wrap))
        for package, n, raw in zip(shown["package"], norm, shown[c.name], strict=True):
            text = _value_text(c, raw)
            rows.append(
                {"package": package, "axis": c.name, "order": order, "norm": n, "value": text}
            )
        ends += [
            {"axis": c.name, "order": order, "norm": 1.0, "text": high_text, "label": label},
            {"axis": c.name, "order": order, "norm": 0.0, "text": low_text, "label": label},
        ]
    return pd.DataFrame(rows), pd.DataFrame(ends)


def parallel_chart(
    pareto: ParetoSet, shown: pd.DataFrame, colour: str | None = None, selected: str | None = None
):
    """Parallel coordinates of the packages ``shown``: levers then objectives, each 0–1."""
    import altair as alt

    lines, ends = parallel_frame(pareto, shown)
    cc = pareto.columns.get(colour) if colour else None
    if cc is not None and len(lines):
        lines = lines.merge(shown[["package", cc.name]], on="package")
    order = [c.name for c in (*pareto.levers, *pareto.objectives)]
    x = alt.X(
        "axis:N",
        sort=order,
        title=None,
        axis=alt.Axis(labels=False, ticks=False, domain=False),
        scale=alt.Scale(padding=0.3),
    )
    y = alt.Y("norm:Q", axis=None, scale=alt.Scale(domain=[-0.62, 1.08]))
    width = axis_spacing(len(order)) * len(order)
    layers = [  # the axes
        alt.Chart(ends[ends["norm"] == 1.0].assign(low=0.0))
        .mark_rule(color="#888888")
        .encode(x=x, y=y, y2="low:Q"),
    ]
    if len(lines):
        line_enc = {
            "x": x,
            "y": y,
            "detail": "package:N",
            "color": _colour(pareto.table, cc),
            "tooltip": [
                alt.Tooltip("package:N"),
                alt.Tooltip("axis:N", title="column"),
                alt.Tooltip("value:N"),
            ],
        }
        layers.append(alt.Chart(lines).mark_line(strokeWidth=1.6, opacity=0.8).encode(**line_enc))
        if selected is not None and selected in set(lines["package"]):
            layers.append(
                alt.Chart(lines[lines["package"] == selected], description="selected package")
                .mark_line(strokeWidth=4, color="#000000")
                .encode(x=x, y=y, detail="package:N")
            )
    layers += [
        alt.Chart(ends[ends["norm"] == 1.0])
        .mark_text(dy=-8, fontSize=10)
        .encode(x=x, y=y, text="text:N"),
        alt.Chart(ends[ends["norm"] == 0.0])
        .mark_text(dy=9, fontSize=10)
        .encode(x=x, y=y, text="text:N"),
        alt.Chart(ends[ends["norm"] == 0.0].assign(norm=-0.12))
        .mark_text(baseline="top", lineBreak="\n", fontSize=10, align="center")
        .encode(x=x, y=y, text="label:N"),
    ]
    title = alt.TitleParams(
        text="Pareto packages: levers and objectives",
        subtitle="Each axis spans a lever's searched range or an objective's range over the "
        "Pareto set; objectives are turned so that better is up.",
    )
    return alt.layer(*layers).properties(width=width, height=380, title=title)


# -- the table ----------------------------------------------------------------------------------


def package_table(pareto: ParetoSet, shown: pd.DataFrame) -> pd.DataFrame:
    """The packages shown, with labelled columns: levers exact, the rest to 3 figures."""
    out = pd.DataFrame({"package": shown["package"].to_numpy()})
    for c in (*pareto.levers, *pareto.objectives, *pareto.robustness):
        values = shown[c.name]
        if c.role == "lever":
            texts = [number_text(v.item() if hasattr(v, "item") else v) for v in values]
        else:
            texts = ["–" if pd.isna(v) else f"{float(v):.3g}" for v in values]
        out[c.title(None, better=False)] = texts
    return out


def _filter_window(values: pd.Series) -> tuple[float, float]:
    """An objective's whole range over the Pareto set (undefined values left out)."""
    return float(values.min()), float(values.max())


def filtered(table: pd.DataFrame, windows: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """The packages whose every filtered objective lies in its window (ends included)."""
    keep = pd.Series(True, index=table.index)
    for name, (low, high) in windows.items():
        values = table[name].astype(float)
        span = float(values.max() - values.min()) or 1.0
        tol = 1e-9 * span  # a slider's ends are floats: keep the packages exactly on them
        keep &= values.between(low - tol, high + tol) | values.isna()
    return table[keep]


# -- the page -----------------------------------------------------------------------------------

NONE = "(none)"

CSS = """
.optimisation-grid { display: grid; grid-template-columns: minmax(220px, 300px) minmax(0, 1fr);
  gap: 16px; align-items: start; }
.optimisation-main { min-width: 0; }
.optimisation-charts { display: flex; flex-wrap: wrap; gap: 12px; }
.package-table { overflow-x: auto; max-width: 100%; }
.package-table th { white-space: normal !important; min-width: 9em; vertical-align: bottom; }
.optimisation-charts > div { max-width: 100%; overflow-x: auto; }
.objective-filter .v-slider { margin-left: 0; }
"""
"""The page's layout: controls beside the charts, nothing wider than the window (the table
scrolls inside its own box, its headers wrap)."""


@solara.component
def OptimisationExplorer(root: Path | None = None, scenarios: Path | None = None):
    """Pick an optimisation folder under the results folder and explore its Pareto set."""
    root = root or results_dir()
    folders = optimisation_folders(root)
    choice, set_choice = solara.use_state(next(iter(folders), None))
    path = folders.get(choice) if choice else None

    def load():
        if path is None:
            return None, None
        try:
            return ParetoSet.read(path), None
        except FileNotFoundError:
            status = "unknown"
            try:
                from partnersim import results

                status = results.read_manifest(path).get("status", status)
            except (OSError, ValueError):
                pass
            return None, (
                f"{path.name}: the search has no Pareto set yet (status: {status}); finish it "
                f"with `partnersim resume {path}`"
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return None, f"{path.name}: cannot be read as an optimisation ({exc})"

    loaded, error = solara.use_memo(load, dependencies=[str(path)])
    solara.Markdown("## Robust design: the Pareto set of an optimisation")
    if folders:
        solara.Select(
            "Optimisation folder", values=list(folders), value=choice, on_value=set_choice
        )
    if error:
        solara.Warning(error, classes=["optimisation-error"])
    if loaded is None:
        if not error:
            solara.Info(
                f"No optimisation results under {root}. Run e.g. "
                "`partnersim optimise sweeps/robust_package.toml`."
            )
        return
    ParetoView(loaded, scenarios or scenarios_dir()).key(str(loaded.path))


@solara.component
def ParetoView(pareto: ParetoSet, scenarios: Path):
    """Charts, filters, table and the live-page link for one Pareto set."""
    table = pareto.table
    objectives = [c.name for c in pareto.objectives]
    colourable = [c.name for c in (*pareto.objectives, *pareto.robustness, *pareto.levers)]
    labels = {c.name: c.title(None, better=False) for c in pareto.columns.values()}
    by_label = {v: k for k, v in labels.items()}
    x, set_x = solara.use_state(objectives[-1])
    y, set_y = solara.use_state(objectives[0])
    third = [o for o in objectives if o not in (x, y)]
    colour, set_colour = solara.use_state(third[0] if third else NONE)
    windows, set_windows = solara.use_state(
        {o: _filter_window(table[o]) for o in objectives if table[o].nunique() > 1}
    )
    shown = filtered(table, windows)
    packages = list(shown["package"])
    chosen, set_chosen = solara.use_state(packages[0] if packages else None)
    selected = chosen if chosen in packages else (packages[0] if packages else None)
    names = list(scenario_files(scenarios))
    manifest = pareto.manifest
    worlds = manifest.get("worlds") or {}
    n_worlds = len(worlds.get("ids", [])) or 1
    n_seeds = len(manifest.get("seeds", []))
    solara.Markdown(
        f"**{manifest.get('name', pareto.path.name)}**: {len(table)} Pareto packages of "
        f"{manifest.get('evaluations_done', '?')} evaluated, each over {n_worlds} world(s) × "
        f"{n_seeds} seed(s); packages extend `{pareto.base}`, costs are against "
        f"`{manifest.get('baseline', '?')}`."
        + (
            f" Robustness criteria: {'; '.join(manifest['criteria'])}."
            if manifest.get("criteria")
            else ""
        ),
        style={"font-size": "0.92em"},
    )

    def pick(setter):
        return lambda label: setter(by_label[label])

    solara.Style(CSS)
    with solara.Div(classes=["optimisation-grid"]):
        with solara.Div(classes=["optimisation-controls"]):
            solara.Select(
                "x axis (objective)",
                values=[labels[o] for o in objectives],
                value=labels[x],
                on_value=pick(set_x),
            )
            solara.Select(
                "y axis (objective)",
                values=[labels[o] for o in objectives],
                value=labels[y],
                on_value=pick(set_y),
            )
            solara.Select(
                "Colour by",
                values=[NONE, *(labels[c] for c in colourable)],
                value=labels.get(colour, NONE),
                on_value=lambda label: set_colour(by_label.get(label, NONE)),
            )
            solara.Markdown("**Filter the packages** (each objective's range)")
            for o in objectives:
                low, high = _filter_window(table[o])
                with solara.Div(attributes={"data-filter": o}, classes=["objective-filter"]):
                    if o not in windows:
                        same = "no value" if np.isnan(low) else f"{low:.3g}"
                        solara.Text(f"{labels[o]}: {same} for every package (nothing to filter)")
                        continue
                    solara.Text(labels[o], style={"font-size": "0.85em"})
                    solara.SliderRangeFloat(
                        "",
                        value=windows[o],
                        min=low,
                        max=high,
                        step=(high - low) / 100,
                        on_value=lambda w, o=o: set_windows(
                            lambda old: {**old, o: (float(w[0]), float(w[1]))}
                        ),
                    )
                    lo, hi = windows[o]
                    solara.Text(
                        f"{lo:.3g} to {hi:.3g}",
                        style={"font-size": "0.78em", "color": "#444", "margin-left": "16px"},
                    )
            solara.Button(
                "Show every package",
                on_click=lambda: set_windows({o: _filter_window(table[o]) for o in windows}),
                text=True,
            )
        with solara.Div(classes=["optimisation-main"]):
            solara.Text(
                f"{len(shown)} of {len(table)} packages shown",
                classes=["packages-shown"],
            )
            colour_name = None if colour == NONE else colour

            def clicked(datum) -> None:
                if isinstance(datum, dict) and datum.get("package") in packages:
                    set_chosen(datum["package"])

            with solara.Div(classes=["optimisation-charts"]):
                with solara.Div(classes=["tradeoff-chart"]):
                    AltairFigure(
                        tradeoff_chart(pareto, shown, x, y, colour_name, selected),
                        on_click=clicked,
                    )
                with solara.Div(classes=["parallel-chart"]):
                    AltairFigure(
                        parallel_chart(pareto, shown, colour_name, selected), on_click=clicked
                    )
            if not packages:
                solara.Info("No package lies within every filter; widen a range.")
                return
            OpenPackage(pareto, selected, packages, set_chosen, names)
            with solara.Div(classes=["package-table"]):
                solara.DataFrame(package_table(pareto, shown), items_per_page=10)
            robustness = pareto.path / ROBUSTNESS
            if robustness.exists():
                RobustnessTable(pareto, robustness)


@solara.component
def OpenPackage(pareto: ParetoSet, selected: str, packages: list, on_choose, scenarios: list):
    """The chosen package's levers, and the button that opens it on the live page."""
    router = solara.use_router()
    target, warning = live_address(pareto, selected, scenarios)
    levers = pareto.package_levers(selected)
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Package", values=packages, value=selected, on_value=on_choose)
        if router.set_path is not None:
            solara.Button(
                "Open in live page",
                on_click=lambda: router.push(target),
                color="primary",
                classes=["open-live"],
            )
    solara.Markdown(
        "Levers: "
        + ", ".join(f"{describe(k)[0]} = {number_text(v)}" for k, v in levers.items())
        + f" · address: `{target}`",
        style={"font-size": "0.85em"},
    )
    if warning:
        solara.Warning(warning, dense=True, classes=["open-live-warning"])


def robustness_display(pareto: ParetoSet, frame: pd.DataFrame) -> pd.DataFrame:
    """``report/robustness.parquet`` to show: numbers to three figures, labelled columns.

    Its objective, satisficing and regret columns have the Pareto set's names, and are
    labelled as they are there; other columns keep their names.
    """
    labels = {name: c.title(None, better=False) for name, c in pareto.columns.items()}
    shown = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            values = values.map(lambda v: "–" if pd.isna(v) else f"{float(v):.3g}")
        shown[labels.get(column, column)] = values
    return shown.reset_index(drop=True)


@solara.component
def RobustnessTable(pareto: ParetoSet, path: Path):
    """``report/robustness.parquet`` from ``partnersim report``, when it is readable."""
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        solara.Warning(f"{path} cannot be read ({type(exc).__name__})")
        return
    solara.Markdown(
        "### Robustness (from `partnersim report`)\n"
        "The shipped scenarios and the Pareto packages over the search's worlds and seeds."
    )
    with solara.Div(classes=["package-table"]):
        solara.DataFrame(robustness_display(pareto, frame), items_per_page=10)
