"""The sweep explorer: plot a sweep's outcomes against its factors, filter, see the PRIM boxes.

Open a results folder written by ``partnersim sweep``; plot any outcome (or factor) against any
factor, coloured by another, filtered on one. Axes and legends carry labels and units from the
declarations (:mod:`partnersim.app.labels`); categories are coloured with the Okabe–Ito palette
and numbers with viridis, both readable with colour-vision deficiencies. When ``partnersim
report`` wrote PRIM boxes, the chosen mission's box is drawn on the scatter wherever it restricts
a plotted factor, and the runs inside the whole box stand out.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import solara

from partnersim.app.charts import AltairFigure
from partnersim.app.labels import describe, title
from partnersim.app.settings import results_dir
from partnersim.experiments.report import DISCOVERY
from partnersim.plots import OKABE_ITO
from partnersim.runs.outcomes import OUTCOMES

NONE = "(none)"
MAX_CATEGORIES = len(OKABE_ITO)
"""Numeric columns with at most this many distinct values are coloured as categories."""


def sweep_folders(root: Path) -> dict[str, Path]:
    """Sweep results folders under ``root`` (one level deep), newest first."""
    return folders_of_kind(root, "sweep")


def folders_of_kind(root: Path, kind: str) -> dict[str, Path]:
    """Results folders under ``root`` (one level deep) whose manifest's kind is ``kind``."""
    from partnersim import results

    found = []
    for manifest in root.glob("*/manifest.json"):
        try:
            if results.read_manifest(manifest.parent).get("kind") == kind:
                found.append(manifest.parent)
        except (OSError, ValueError):  # not a (readable) partnersim manifest: not offered
            continue
    return {p.name: p for p in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)}


# -- PRIM boxes ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Limit:
    """One restriction of a PRIM box: a range (``low``–``high``) or a set of ``values``."""

    factor: str
    low: float | None = None
    high: float | None = None
    values: tuple[str, ...] | None = None

    def contains(self, column: pd.Series) -> pd.Series:
        """Which of a column's values lie inside the restriction."""
        if self.values is not None:
            return column.astype(str).isin(self.values)
        return pd.to_numeric(column, errors="coerce").between(self.low, self.high)

    def describe(self, labelled: bool = True) -> str:
        """The restriction in words, with the factor's label (or its name alone)."""
        label = f"{describe(self.factor)[0]} ({self.factor})" if labelled else self.factor
        if self.values is not None:
            return f"{label} ∈ {{{', '.join(self.values)}}}"
        return f"{self.low:.3g} ≤ {label} ≤ {self.high:.3g}"


@dataclass(frozen=True, slots=True)
class Box:
    """A mission's PRIM box as ``partnersim report`` writes it to ``report/discovery.json``."""

    mission: str
    limits: tuple[Limit, ...]
    coverage: float
    density: float
    mass: float
    base_rate: float
    runs: int

    @classmethod
    def from_dict(cls, mission: str, box: Mapping[str, Any]) -> Box:
        """One mission's entry of ``discovery.json`` (the data of ``DiscoveryBox.to_dict``)."""
        limits = tuple(
            Limit(factor, values=tuple(map(str, limit["values"])))
            if "values" in limit
            else Limit(factor, low=float(limit["low"]), high=float(limit["high"]))
            for factor, limit in box["limits"].items()
        )
        return cls(
            mission,
            limits,
            float(box["coverage"]),
            float(box["density"]),
            float(box["mass"]),
            float(box["base_rate"]),
            int(box["runs"]),
        )

    def limit(self, factor: str) -> Limit | None:
        """The restriction on ``factor``, if the box restricts it."""
        return next((lim for lim in self.limits if lim.factor == factor), None)

    def contains(self, runs: pd.DataFrame) -> pd.Series:
        """Which runs lie inside the box (every restriction holds)."""
        inside = pd.Series(True, index=runs.index)
        for lim in self.limits:
            if lim.factor in runs:
                inside &= lim.contains(runs[lim.factor])
        return inside

    def describe(self, labelled: bool = True) -> str:
        """The box's restrictions in words, with the factors' labels (or their names alone)."""
        return "; ".join(lim.describe(labelled) for lim in self.limits) or "no restriction"


def read_discovery(path: Path) -> tuple[pd.DataFrame | None, dict[str, Box]]:
    """The PRIM boxes of a ``report/discovery.json``, by mission, and a table of them to show.

    Missions PRIM could not run on (null in the file) have no box. The table is None when
    there is no such file, and empty (with no boxes) when it cannot be read as PRIM boxes.
    """
    try:
        missions = json.loads(path.read_text(encoding="utf-8"))["missions"]
        boxes = {m: Box.from_dict(m, box) for m, box in missions.items() if box is not None}
    except FileNotFoundError:
        return None, {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return pd.DataFrame(), {}
    table = pd.DataFrame(
        [
            {
                "mission": b.mission,
                "coverage": b.coverage,
                "density": b.density,
                "mass": b.mass,
                "base rate": b.base_rate,
                "runs": b.runs,
                "box": b.describe(labelled=False),
            }
            for b in boxes.values()
        ]
    )
    return table, boxes


# -- the scatter --------------------------------------------------------------------------------


def _is_categorical(column: pd.Series) -> bool:
    return not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def _nominal(column: pd.Series, listed: bool | None = None) -> bool:
    """Whether to colour (or filter) a column by category rather than along a scale.

    A factor is categorical when the sweep lists its values (``listed``); any other column when
    it is not numeric, or holds a few whole numbers (targets met: 0/1, missions met: 0–5).
    """
    if listed is not None:
        return listed
    if _is_categorical(column):
        return True
    values = column.dropna()
    return values.nunique() <= MAX_CATEGORIES and bool((values == values.round()).all())


@dataclass(frozen=True, slots=True)
class _Axis:
    """How one factor or outcome is placed on an axis."""

    channel: str
    field: str
    title: str | list[str]
    scale: object
    axis: object
    categories: tuple[str, ...] | None

    def encode(self, field: str | None = None):
        """The channel for the points (or, with ``field``, for the box drawn on them)."""
        import altair as alt

        Channel = alt.X if self.channel == "x" else alt.Y
        return Channel(
            f"{field or self.field}:Q", title=self.title, scale=self.scale, axis=self.axis
        )


def _axis(
    frame: pd.DataFrame, column: str, channel: str, domain: tuple[float, float] | None, seed: int
) -> _Axis:
    """Numbers as they are; categories at 0, 1, 2… with a little jitter, labelled by name."""
    import altair as alt

    if _is_categorical(frame[column]):
        categories = tuple(sorted(frame[column].astype(str).dropna().unique()))
        codes = frame[column].astype(str).map({c: i for i, c in enumerate(categories)})
        jitter = np.random.default_rng(seed).uniform(-0.25, 0.25, len(frame))
        field = f"__{channel}"
        frame[field] = codes.to_numpy(dtype=float) + jitter
        axis = alt.Axis(
            values=list(range(len(categories))),
            labelExpr=f"{json.dumps(list(categories))}[datum.value] || ''",
            grid=False,
        )
        scale = alt.Scale(domain=[-0.5, len(categories) - 0.5])
        return _Axis(channel, field, title(column), scale, axis, categories)
    scale = alt.Scale(domain=list(domain), nice=False) if domain else alt.Scale(zero=False)
    return _Axis(channel, column, title(column), scale, alt.Undefined, None)


def _band(axis: _Axis, limit: Limit | None) -> list[dict] | None:
    """Rectangles (``lo``/``hi`` along the axis) covering a restriction on one axis."""
    if limit is None:
        return None
    if axis.categories is not None:
        allowed = set(limit.values or ())
        return [
            {"lo": i - 0.45, "hi": i + 0.45} for i, c in enumerate(axis.categories) if c in allowed
        ]
    if limit.values is not None:
        return None
    return [{"lo": limit.low, "hi": limit.high}]


def scatter(
    runs: pd.DataFrame,
    x: str,
    y: str,
    colour: str | None,
    box: Box | None = None,
    domains: dict[str, tuple[float, float]] | None = None,
    listed: dict[str, bool] | None = None,
):
    """Outcome (or factor) against a factor, coloured by another, with the PRIM box drawn in.

    ``domains`` gives numeric factors' sampled ranges, so that a box is seen within the whole
    range explored; ``listed`` says which factors the sweep gave as lists of values (coloured
    as categories). The box is drawn along each plotted axis it restricts (a band, or a
    rectangle when it restricts both); runs inside the whole box are drawn solid, the rest faint.
    """
    import altair as alt

    domains = domains or {}
    frame = runs.replace([np.inf, -np.inf], np.nan)  # a copy, which is changed below
    x_axis = _axis(frame, x, "x", domains.get(x), seed=1)
    y_axis = _axis(frame, y, "y", domains.get(y), seed=2)
    tooltip = [
        alt.Tooltip("run_id:Q", title="run"),
        alt.Tooltip("seed:Q", title="seed"),
        alt.Tooltip(f"{x}:{'N' if x_axis.categories else 'Q'}", title=describe(x)[0]),
        alt.Tooltip(f"{y}:{'N' if y_axis.categories else 'Q'}", title=describe(y)[0]),
    ]
    enc: dict = {"x": x_axis.encode(), "y": y_axis.encode()}
    if colour:
        nominal = _nominal(frame[colour], (listed or {}).get(colour))
        if nominal:
            frame[colour] = frame[colour].astype(str)
            domain = sorted(frame[colour].unique())
            scale = alt.Scale(domain=domain, range=list(OKABE_ITO[: len(domain)]))
        else:
            scale = alt.Scale(scheme="viridis")
        kind = "N" if nominal else "Q"
        enc["color"] = alt.Color(
            f"{colour}:{kind}", scale=scale, legend=alt.Legend(title=title(colour, width=30))
        )
        tooltip.append(alt.Tooltip(f"{colour}:{kind}", title=describe(colour)[0]))
    subtitle = alt.Undefined
    x_band = y_band = None
    if box is not None:
        x_band, y_band = _band(x_axis, box.limit(x)), _band(y_axis, box.limit(y))
        frame["__box"] = np.where(box.contains(frame), "inside", "outside")
        enc["opacity"] = alt.Opacity(
            "__box:N",
            scale=alt.Scale(domain=["inside", "outside"], range=[0.9, 0.25]),
            legend=alt.Legend(title=f"{box.mission} PRIM box"),
        )
        tooltip.append(alt.Tooltip("__box:N", title="PRIM box"))
        subtitle = (
            f"Shaded: the {box.mission} PRIM box (coverage {box.coverage:.2f}, "
            f"density {box.density:.2f}); solid points: runs inside the whole box"
            if x_band or y_band
            else f"The {box.mission} PRIM box does not restrict the plotted factors; "
            "solid points: runs inside it"
        )
    enc["tooltip"] = tooltip
    layers = []
    if x_band or y_band:
        if x_band and y_band:
            rows = [
                {"x": a["lo"], "x2": a["hi"], "y": b["lo"], "y2": b["hi"]}
                for a in x_band
                for b in y_band
            ]
        elif x_band:
            rows = [{"x": a["lo"], "x2": a["hi"]} for a in x_band]
        else:
            rows = [{"y": b["lo"], "y2": b["hi"]} for b in y_band]
        rect: dict = {}
        if x_band:
            rect.update(x=x_axis.encode("x"), x2=alt.X2("x2:Q"))
        if y_band:
            rect.update(y=y_axis.encode("y"), y2=alt.Y2("y2:Q"))
        layers.append(
            alt.Chart(pd.DataFrame(rows), description="PRIM box")
            .mark_rect(fill="#999999", fillOpacity=0.2, stroke="#000000", strokeDash=[4, 3])
            .encode(**rect)
        )
    layers.append(alt.Chart(frame).mark_circle(size=45, opacity=0.75).encode(**enc))
    chart_title = alt.TitleParams(
        text=f"{describe(y)[0]} against {describe(x)[0]}", subtitle=subtitle
    )
    return alt.layer(*layers).properties(width=620, height=380, title=chart_title)


# -- the page -----------------------------------------------------------------------------------


OUTSIDE = Path("/nonexistent/outside-the-results-folder")
"""Marks a typed path that is outside the results folder (never opened)."""


def inside(root: Path, typed: str) -> Path | None:
    """The folder ``typed`` names, resolved, if it lies inside ``root``; otherwise None.

    ``typed`` is a path relative to ``root`` or an absolute one; symbolic links and ``..``
    are resolved first, so neither can lead out of ``root``.
    """
    base = root.resolve()
    try:
        path = (base / typed.strip()).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return path if path.is_relative_to(base) and path != base else None


@solara.component
def SweepExplorer(root: Path | None = None):
    """Pick a sweep folder, an outcome, a factor on the x axis and one for colour."""
    root = root or results_dir()
    folders = sweep_folders(root)
    choice, set_choice = solara.use_state(next(iter(folders), None))
    custom, set_custom = solara.use_state("")
    path = (
        (inside(root, custom) or OUTSIDE) if custom else (folders.get(choice) if choice else None)
    )

    def load():
        if path is None:
            return None, None
        if path is OUTSIDE:
            # The same words whether or not the path exists: the page reveals nothing of the
            # server's files outside the results folder.
            return None, (
                f"{custom!r}: only folders inside the results folder ({root}) can be opened; "
                "give a folder name or path inside it"
            )
        from partnersim import results

        try:
            return results.load(path), None
        except (OSError, ValueError, KeyError) as exc:
            what = str(exc) if isinstance(exc, results.ResultsError) else type(exc).__name__
            return (
                None,
                f"{path.name}: cannot be read as sweep results ({what})",
            )

    loaded, error = solara.use_memo(load, dependencies=[str(path), custom])
    solara.Markdown("## Sweep explorer")
    with solara.Row():
        if folders:
            solara.Select("Results folder", values=list(folders), value=choice, on_value=set_choice)
        solara.InputText(
            f"…or a folder inside {root}",
            value=custom,
            on_value=set_custom,
            continuous_update=False,
        )
    if error:
        solara.Error(error)
    if loaded is None or loaded.manifest.get("kind") != "sweep":
        if loaded is not None:
            solara.Warning(f"{path} holds a {loaded.manifest.get('kind')!r} result, not a sweep.")
        elif not error:
            solara.Info(
                f"No sweep results under {root}. Run `partnersim sweep sweeps/levers_lhs.toml`."
            )
        return
    SweepView(loaded).key(str(loaded.path))


def _domain(factor: dict) -> tuple[float, float] | None:
    if factor.get("low") is not None and factor.get("high") is not None:
        return float(factor["low"]), float(factor["high"])
    values = factor.get("values")
    if values and all(isinstance(v, int | float) for v in values):
        pad = 0.04 * ((max(values) - min(values)) or 1)
        return float(min(values)) - pad, float(max(values)) + pad
    return None


def _filter_state(runs: pd.DataFrame, factor: str, listed: bool):
    """The initial filter of a factor: its full range, or all its values."""
    column = runs[factor]
    if listed:
        return tuple(sorted(column.astype(str).unique()))
    return float(column.min()), float(column.max())


@solara.component
def SweepView(loaded):
    """Plots, filters and scenario-discovery boxes for one loaded sweep."""
    runs = loaded.runs
    factor_specs = loaded.manifest["factors"]
    factors = [f["name"] for f in factor_specs]
    domains = {f["name"]: d for f in factor_specs if (d := _domain(f)) is not None}
    listed = {f["name"]: f.get("values") is not None for f in factor_specs}
    outcomes = [o.name for o in OUTCOMES if o.name in runs.columns]
    default_y = "mean_gap_closed" if "mean_gap_closed" in outcomes else outcomes[0]
    y, set_y = solara.use_state(default_y)
    x, set_x = solara.use_state(factors[0])
    colour, set_colour = solara.use_state(factors[1] if len(factors) > 1 else NONE)
    only_ok, set_only_ok = solara.use_state(True)
    filter_factor, set_filter_factor = solara.use_state(factors[0])
    window, set_window = solara.use_state(_filter_state(runs, factors[0], listed[factors[0]]))

    discovery = loaded.path / "report" / DISCOVERY
    table, boxes = solara.use_memo(lambda: read_discovery(discovery), dependencies=[str(discovery)])
    first_box = next((m for m in boxes if default_y.startswith(f"{m}_")), next(iter(boxes), NONE))
    box_choice, set_box_choice = solara.use_state(first_box)

    def choose_filter(factor: str) -> None:
        set_filter_factor(factor)
        set_window(_filter_state(runs, factor, listed[factor]))

    y_values = [*outcomes, *factors]
    y_col = y if y in y_values else default_y
    x_col = x if x in factors else factors[0]
    with solara.Row():
        solara.Select("y axis (outcome or factor)", values=y_values, value=y_col, on_value=set_y)
        solara.Select("x axis (factor)", values=factors, value=x_col, on_value=set_x)
        solara.Select(
            "Colour by", values=[NONE, *factors, *outcomes], value=colour, on_value=set_colour
        )
        solara.Checkbox(label="finished runs only", value=only_ok, on_value=set_only_ok)
    with solara.Row():
        solara.Select(
            "Filter on",
            values=factors,
            value=filter_factor,
            on_value=choose_filter,
        )
        column = runs[filter_factor]
        if listed[filter_factor]:
            solara.SelectMultiple(
                f"{describe(filter_factor)[0]} values shown",
                values=list(window),
                all_values=sorted(column.astype(str).unique()),
                on_value=lambda vs: set_window(tuple(vs)),
            )
        else:
            low, high = float(column.min()), float(column.max())
            solara.SliderRangeFloat(
                f"{title(filter_factor, width=None)} range",
                value=window,
                min=low,
                max=high if high > low else low + 1,
                step=(high - low) / 50 or 0.01,
                on_value=set_window,
            )
        if boxes:
            solara.Select(
                "PRIM box (mission target met)",
                values=[NONE, *boxes],
                value=box_choice,
                on_value=set_box_choice,
            )
    view = runs[runs["status"] == "ok"] if only_ok and "status" in runs else runs
    if listed[filter_factor]:
        view = view[view[filter_factor].astype(str).isin(window)]
    else:
        view = view[view[filter_factor].between(*window)]
    shown_range = (
        f"{filter_factor} in {{{', '.join(window)}}}"
        if listed[filter_factor]
        else f"{window[0]:.3g} ≤ {filter_factor} ≤ {window[1]:.3g}"
    )
    solara.Text(
        f"{len(view)} of {len(runs)} runs shown ({shown_range}); design "
        f"{loaded.manifest['design']}, {loaded.manifest['replications']} replications per point",
        classes=["runs-shown"],
    )
    box = boxes.get(box_choice)
    if len(view):
        AltairFigure(
            scatter(
                view,
                x_col,
                y_col,
                None if colour == NONE else colour,
                box=box,
                domains=domains,
                listed=listed,
            )
        )
    if table is not None:
        solara.Markdown(
            "### Scenario discovery (PRIM boxes from `partnersim report`)\n"
            "Each box is a region of the factors where the mission's target is met more often "
            "than overall (coverage: share of the successful runs inside; density: share of the "
            "runs inside that succeed)."
        )
        if boxes:
            if box is not None:
                solara.Markdown(
                    f"**{box.mission}** box: {box.describe()}", style={"font-size": "0.9em"}
                )
            solara.DataFrame(table)
        else:
            solara.Text("No mission had enough variation for PRIM.")
    else:
        solara.Info(f"Run `partnersim report {loaded.path}` to add scenario-discovery boxes here.")
