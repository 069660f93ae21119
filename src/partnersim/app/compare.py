"""The compare page: two or more scenarios on the same seeds, side by side, with uncertainty."""

from __future__ import annotations

from pathlib import Path

import solara

from partnersim.app.controls import load_scenario, scenario_files
from partnersim.app.settings import scenarios_dir


def _p_met_table(summary) -> str:
    from partnersim.runs.summary import mission_outcomes

    outcomes = mission_outcomes(summary)
    names = list(dict.fromkeys(outcomes["scenario"]))
    lines = [
        "| mission | target | " + " | ".join(f"{n}: P(met) [95% CI]" for n in names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for label, group in outcomes.groupby("label", sort=False):
        first = group.iloc[0]
        sign = "≥" if first["higher_is_better"] else "≤"
        cells = []
        for n in names:
            row = group[group["scenario"] == n].iloc[0]
            cells.append(
                "not reached"
                if row["runs_assessed"] == 0
                else f"{row['p_met']:.2f} [{row['p_met_low']:.2f}, {row['p_met_high']:.2f}]"
            )
        lines.append(
            f"| {label} | {sign} {first['target']:,g} {first['unit']} by {first['deadline']} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


@solara.component
def ComparePage(folder: Path | None = None):
    """Choose scenarios and seeds, run them with progress, see missions and P(target met)."""
    folder = folder or scenarios_dir()
    files = scenario_files(folder)
    defaults = [n for n in ("westminster_default", "mission_driven") if n in files] or list(files)[
        :2
    ]
    chosen, set_chosen = solara.use_state(defaults)
    seeds, set_seeds = solara.use_state(5)
    progress, set_progress = solara.use_state(0.0)
    result, set_result = solara.use_state(None)
    errors, set_errors = solara.use_state([])
    clash, set_clash = solara.use_state(None)  # scenarios that share a name: results would merge
    running, set_running = solara.use_state(False)

    def run_all() -> None:
        from partnersim import results as res
        from partnersim.cli import DEFAULT_ROOT_SEED
        from partnersim.runs.runner import derive_seeds, run

        loaded, problems = [], []
        for name in chosen:
            scenario, error = load_scenario(files[name])
            if error:
                problems.append(error)
            else:
                loaded.append(scenario)
        set_errors(problems)
        # results are grouped by scenario name: two files of one name would merge silently
        names = [s.name for s in loaded]
        set_clash(
            f"scenario names must differ to be compared; got {', '.join(names)}"
            if len(set(names)) < len(names)
            else None
        )
        if problems or len(loaded) < 2 or len(set(names)) < len(names):
            set_running(False)
            return
        seed_list = derive_seeds(DEFAULT_ROOT_SEED, seeds)
        runs = []
        total = len(loaded) * len(seed_list)
        for scenario in loaded:
            for s in seed_list:
                runs.append(run(scenario, s))
                set_progress(len(runs) / total)
        set_result(res.runs_tables(runs))
        set_running(False)

    solara.use_thread(run_all if running else (lambda: None), dependencies=[running])

    solara.Markdown(
        "## Compare scenarios\nRuns every scenario on the same seeds (common random numbers)."
    )
    with solara.Row():
        solara.SelectMultiple(
            "Scenarios", values=chosen, all_values=list(files), on_value=set_chosen
        )
        solara.SliderInt(
            "Seeds", value=seeds, min=2, max=50, on_value=set_seeds, thumb_label="always"
        )
        solara.Button(
            "Run",
            on_click=lambda: (set_progress(0.0), set_result(None), set_running(True)),
            disabled=running or len(chosen) < 2,
            color="primary",
        )
    if len(chosen) < 2:
        solara.Info("Choose at least two scenarios.")
    for e in errors:
        solara.Error(f"This scenario file cannot be used:\n{e}", classes=["scenario-error"])
    if clash:
        solara.Error(f"These scenarios cannot be compared: {clash}.", classes=["scenario-clash"])
    if running:
        solara.ProgressLinear(value=100 * progress)
        solara.Text(f"running… {progress:.0%}")
    if result is not None:
        timeseries, summary = result
        from partnersim.plots import missions_figure

        by_label = {name: frame for name, frame in timeseries.groupby("scenario", sort=False)}  # noqa: C416
        n = summary["seed"].nunique()
        fig = missions_figure(
            by_label, title=f"{len(by_label)} scenarios, {n} seeds each (median, 10–90 % band)"
        )
        solara.FigureMatplotlib(fig, format="png")
        solara.Markdown(
            "### Probability of meeting each target\n" + _p_met_table(summary),
            style={"font-size": "0.9em"},
        )
