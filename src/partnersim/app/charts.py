"""Live dashboard charts (Altair, drawn in the browser): missions and partnership metrics.

Every page draws its Altair charts with :func:`AltairFigure`.
"""

from __future__ import annotations

import pandas as pd
import solara

from partnersim import data
from partnersim.model.metrics import METRICS
from partnersim.plots import OKABE_ITO, format_value


@solara.component
def AltairFigure(chart, on_click=None):
    """An Altair chart drawn by Vega-Lite in the browser, safe to render from any thread.

    ``solara.FigureAltair`` switches Altair's renderer registry, which is global, inside a
    ``with`` block: two threads rendering charts at once (a page's handler and a live run's
    worker, or two browser sessions) can leave one of them with the HTML renderer, whose
    bundle it cannot read (``KeyError: 0``: seen once in the browser test, and reproduced with
    two threads drawing one chart 300 times each). The chart's own specification needs no
    renderer. ``on_click`` receives the clicked mark's data (a dict), or None.
    """
    return solara.widgets.VegaLite.element(
        spec=chart.to_dict(),
        on_click=on_click,
        listen_to_click=on_click is not None,
        listen_to_hover=False,
    )


def _years(frame: pd.DataFrame) -> pd.Series:
    start = data.start_quarter()
    year, q = int(start[:4]), int(start[-1])
    return year + (q - 1) / 4 + frame["step"] / 4


def missions_chart(frame: pd.DataFrame, steps: int):
    """The five missions in real units, each with its target at its deadline."""
    import altair as alt

    columns = ["step", "quarter", *(f"{m.name}_level" for m in data.missions())]
    frame = frame[columns].assign(year=_years(frame))  # only what is drawn: a small spec
    start = _years(pd.DataFrame({"step": [0]}))[0]
    end = _years(pd.DataFrame({"step": [max(steps, 1)]}))[0]
    panels = []
    for m in data.missions():
        column = f"{m.name}_level"
        deadline = _years(pd.DataFrame({"step": [m.deadline_step]}))[0]
        values = frame[column]
        low = min(values.min(), m.target, m.baseline)
        high = max(values.max(), m.target, m.baseline)
        pad = 0.08 * (high - low or 1)
        y_scale = alt.Scale(domain=[low - pad, high + pad], nice=False)
        line = (
            alt.Chart(frame)
            .mark_line(color=OKABE_ITO[0], strokeWidth=2)
            .encode(
                x=alt.X(
                    "year:Q",
                    scale=alt.Scale(domain=[start, end]),
                    axis=alt.Axis(format="d", title="year"),
                ),
                y=alt.Y(f"{column}:Q", scale=y_scale, title=m.unit),
                tooltip=["quarter:N", alt.Tooltip(f"{column}:Q", format=",.1f", title=m.indicator)],
            )
        )
        target = pd.DataFrame(
            {
                "year": [deadline],
                "target": [m.target],
                "label": [f"target {format_value(m.target)} by {m.target_deadline}"],
            }
        )
        rule = (
            alt.Chart(pd.DataFrame({"target": [m.target]}))
            .mark_rule(strokeDash=[5, 4], color="#444444")
            .encode(y="target:Q")
        )
        star = (
            alt.Chart(target)
            .mark_point(shape="diamond", filled=True, size=90, color="#000000")
            .encode(x="year:Q", y="target:Q", tooltip=["label:N"])
        )
        panels.append((line + rule + star).properties(width=230, height=150, title=m.label))
    return alt.vconcat(alt.hconcat(*panels[:3]), alt.hconcat(*panels[3:]))


PARTNERSHIP = {m.name: m.share_chart for m in METRICS if m.share_chart}
"""The partnership shares drawn on the live page, by column, with their labels (declared with
the metrics)."""


def partnership_chart(frame: pd.DataFrame):
    """Shares (0–1) of the partnership metrics over time, and private investment per quarter."""
    import altair as alt

    frame = frame[["step", "quarter", *PARTNERSHIP, "private_investment"]].assign(
        year=_years(frame)
    )
    long = frame.melt(id_vars=["year", "quarter"], value_vars=list(PARTNERSHIP), var_name="metric")
    long["metric"] = long["metric"].map(PARTNERSHIP)
    shares = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("year:Q", axis=alt.Axis(format="d")),
            y=alt.Y("value:Q", scale=alt.Scale(domain=[0, 1]), title="share (0–1)"),
            color=alt.Color("metric:N", scale=alt.Scale(range=list(OKABE_ITO[:4])), title=None),
            tooltip=["quarter:N", "metric:N", alt.Tooltip("value:Q", format=".2f")],
        )
        .properties(width=300, height=160, title="Partnership")
    )
    money = (
        alt.Chart(frame.dropna(subset=["private_investment"]))
        .mark_line(color=OKABE_ITO[3])
        .encode(
            x=alt.X("year:Q", axis=alt.Axis(format="d")),
            y=alt.Y("private_investment:Q", title="£bn per quarter"),
            tooltip=["quarter:N", alt.Tooltip("private_investment:Q", format=".1f")],
        )
        .properties(width=300, height=160, title="Private investment committed")
    )
    return alt.hconcat(shares, money)
