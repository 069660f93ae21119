"""The compare page: two or more scenarios on the same seeds, side by side, with uncertainty.

With "Plausible worlds" above zero, every scenario also runs in that many worlds of the
ensemble shipped with partnersim (``partnersim.worlds``), and the page shows P(met) and the
headline outcomes with intervals over worlds × seeds and the share of worlds in which each
ranking holds — as ``partnersim compare --worlds shipped`` prints them.
"""

from __future__ import annotations

from pathlib import Path

import solara

from partnersim.app.controls import load_scenario, scenario_files
from partnersim.app.settings import scenarios_dir


def shipped_worlds():
    """The shipped ensemble, or ``None`` (with the reason) if this installation has none."""
    from partnersim.worlds import Worlds, WorldsError

    try:
        return Worlds.load("shipped"), None
    except (WorldsError, FileNotFoundError, ModuleNotFoundError) as exc:
        return None, str(exc)


@solara.component
def ComparePage(folder: Path | None = None, worlds_source=None):
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
    n_worlds, set_n_worlds = solara.use_state(0)
    ensemble, no_worlds = solara.use_memo(
        lambda: (worlds_source, None) if worlds_source is not None else shipped_worlds(),
        dependencies=[worlds_source],
    )

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

        chosen_worlds = ensemble.head(n_worlds) if ensemble is not None and n_worlds else None
        set_result(run_many(loaded, seeds, on_progress=advance, worlds=chosen_worlds))
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
        solara.SliderInt(
            "Plausible worlds",
            value=n_worlds,
            min=0,
            max=len(ensemble) if ensemble is not None else 0,
            on_value=set_n_worlds,
            thumb_label="always",
            disabled=ensemble is None,
        )
        solara.Button(
            "Run",
            on_click=lambda: (set_progress(0.0), set_result(None), set_running(True)),
            disabled=running or len(chosen) < 2,
            color="primary",
        )
    if len(chosen) < 2:
        solara.Info("Choose at least two scenarios.")
    if ensemble is None:
        solara.Text(f"No plausible worlds: {no_worlds}", style={"font-size": "0.85em"})
    elif n_worlds:
        solara.Text(
            f"Each scenario runs in the first {n_worlds} of {len(ensemble)} plausible worlds × "
            f"{seeds} seeds ({n_worlds * seeds * max(len(chosen), 1)} runs).",
            style={"font-size": "0.85em"},
        )
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
        if "world" in result.summary:
            from partnersim.worlds.tables import OverWorlds

            over = OverWorlds.from_summary(result.summary)
            for title, table in over.text_tables(result.runs_per_scenario):
                solara.Markdown(
                    f"### {title}\n" + table.to_markdown(), style={"font-size": "0.9em"}
                )
            if len(over.rankings):
                solara.Markdown("### Share of worlds in which each ranking holds")
                with solara.Column(classes=["world-rankings"], gap="2px"):
                    for sentence in over.sentences():
                        solara.Text(f"• {sentence}", style={"font-size": "0.9em"})
        else:
            solara.Markdown(
                "### Probability of meeting each target\n"
                + mission_table(result.summary, levels=False).to_markdown(),
                style={"font-size": "0.9em"},
            )
