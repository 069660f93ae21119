"""The compare page: two or more scenarios on the same seeds, side by side, with uncertainty."""

from __future__ import annotations

from pathlib import Path

import solara

from partnersim.app.controls import load_scenario, scenario_files
from partnersim.app.settings import scenarios_dir


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
        from partnersim.runs.many import name_clash, run_many

        loaded, problems = [], []
        for name in chosen:
            scenario, error = load_scenario(files[name])
            if error:
                problems.append(error)
            else:
                loaded.append(scenario)
        set_errors(problems)
        # results are grouped by scenario name: two files of one name would merge silently
        clash = name_clash(loaded)
        set_clash(clash)
        if problems or len(loaded) < 2 or clash:
            set_running(False)
            return

        def advance(done: int, total: int, scenario: str, seed: int) -> None:
            set_progress(done / total)

        set_result(run_many(loaded, seeds, on_progress=advance))
        set_running(False)

    solara.use_thread(run_all if running else (lambda: None), dependencies=[running])
    figure = solara.use_memo(lambda: result and result.figure(), dependencies=[result])

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
        from partnersim.runs.tables import mission_table

        solara.FigureMatplotlib(figure, format="png")
        solara.Markdown(
            "### Probability of meeting each target\n"
            + mission_table(result.summary, levels=False).to_markdown(),
            style={"font-size": "0.9em"},
        )
