"""Many runs (``run_many``, ``write_run_folder``) and the text of their outcomes (``tables``)."""

from __future__ import annotations

import inspect
import json
import math

import numpy as np
import pandas as pd
import pytest

from partnersim import data, results
from partnersim.runs import DEFAULT_ROOT_SEED
from partnersim.runs.many import RunSet, run_many, write_run_folder
from partnersim.runs.outcomes import HEADLINES
from partnersim.runs.runner import derive_seeds, run
from partnersim.runs.summary import seeds_for_width
from partnersim.runs.tables import (
    format_outcome,
    headline_table,
    mission_table,
    p_met_text,
    seeds_advice,
    target_text,
)


@pytest.fixture
def pair(small):
    """Two small scenarios that differ in one lever."""
    return [small.evolve(steps=6), small.evolve(name="orchestrated", steps=6, orchestration=0.9)]


def without_timing(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["wall_seconds"], errors="ignore")


def test_run_many_gives_the_frames_of_separate_runs_on_the_same_seeds(pair):
    runset = run_many(pair, 2, root=7)
    seeds = derive_seeds(7, 2)
    assert runset.seeds == tuple(seeds)
    timeseries, summary = results.runs_tables([run(s, seed) for s in pair for seed in seeds])
    pd.testing.assert_frame_equal(runset.timeseries, timeseries)
    pd.testing.assert_frame_equal(without_timing(runset.summary), without_timing(summary))
    # common random numbers: every scenario ran on every seed
    for name in ("small", "orchestrated"):
        assert list(runset.summary.loc[runset.summary.scenario == name, "seed"]) == seeds


def test_on_progress_is_called_once_per_run_with_increasing_counts(pair):
    calls = []
    runset = run_many(pair, 3, on_progress=lambda *args: calls.append(args))
    assert [c[0] for c in calls] == [1, 2, 3, 4, 5, 6]
    assert {c[1] for c in calls} == {6}
    assert [(c[2], c[3]) for c in calls] == [(s.name, seed) for s in pair for seed in runset.seeds]


def test_manifest_describes_the_runs(pair):
    runset = run_many(pair, 2)
    manifest = runset.manifest
    assert manifest["kind"] == "compare"
    assert manifest["root_seed"] == DEFAULT_ROOT_SEED
    assert manifest["seeds"] == derive_seeds(DEFAULT_ROOT_SEED, 2)
    assert [s["scenario"] for s in manifest["scenarios"]] == ["small", "orchestrated"]
    assert manifest["scenarios"][1]["values"]["orchestration"] == 0.9
    assert {"host", "created", "finished"} <= set(manifest["provenance"])
    one = run_many(pair[0], [11, 12])
    assert (one.manifest["kind"], one.manifest["root_seed"], one.seeds) == ("run", None, (11, 12))


def test_run_many_refuses_what_it_cannot_run(pair):
    with pytest.raises(ValueError, match="names must differ"):
        run_many([pair[0], pair[0]], 1)
    with pytest.raises(ValueError, match="at least one seed"):
        run_many(pair, [])
    with pytest.raises(ValueError, match="at least one scenario"):
        run_many([], 1)


def test_write_run_folder_writes_what_results_load_reads(pair, tmp_path):
    runset = run_many(pair, 2)
    out = write_run_folder(runset, tmp_path / "out")
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "missions.png",
        "summary.parquet",
        "timeseries.parquet",
    ]
    loaded = results.load(out)
    pd.testing.assert_frame_equal(loaded.timeseries, runset.timeseries)
    pd.testing.assert_frame_equal(loaded.summary, runset.summary)
    assert loaded.manifest == json.loads(json.dumps(runset.manifest))
    # an earlier result is replaced; a folder holding anything else never is
    assert write_run_folder(runset, out, figure=False) == out
    assert not (out / "missions.png").exists()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "keep.txt").write_text("mine")
    with pytest.raises(results.ResultsError, match="holds no partnersim run"):
        write_run_folder(runset, tmp_path / "notes")


def test_runset_figure_title_names_the_scenarios_and_seeds(pair):
    runset = run_many(pair, 2)
    assert isinstance(runset, RunSet)
    assert runset.title == "small vs orchestrated — 2 seeds (median, 10–90 % band)"
    assert list(runset.by_scenario()) == ["small", "orchestrated"]


def test_the_command_line_default_root_seed_is_the_run_layers():
    from partnersim.cli.scenarios import compare, run
    from partnersim.runs import many

    assert many.DEFAULT_ROOT_SEED == DEFAULT_ROOT_SEED == 20240530
    for command in (run, compare):
        assert inspect.signature(command).parameters["seed"].default == DEFAULT_ROOT_SEED


# -- outcomes as text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (1.2345, "£bn", "£1.2bn"),
        (25486.2, "offences/yr", "25,486"),
        (0.2412, "share", "0.24"),
        (4.906, "ratio", "4.91"),
        (2.0, "%/yr", "2.0"),
        (1234.4, "% of generation", "1,234"),
        (float("nan"), "share", "–"),
    ],
)
def test_values_are_formatted_in_their_units(value, unit, text):
    assert format_outcome(value, unit) == text


def summary_of(met: dict[str, list[float]]) -> pd.DataFrame:
    """A summary table of two scenarios and four runs each: growth met as given, others NaN."""
    rows = []
    for scenario, flags in met.items():
        for seed, flag in enumerate(flags):
            row = {"scenario": scenario, "seed": seed}
            for m in data.missions():
                hit = flag if m.name == "growth" else float("nan")
                row[f"{m.name}_met"] = hit
                row[f"{m.name}_level_at_deadline"] = 2.0 + seed if not math.isnan(hit) else hit
            row.update({o.name: 0.25 + seed / 100 for o in HEADLINES})
            rows.append(row)
    return pd.DataFrame(rows)


def test_p_met_cells_show_the_wilson_interval_or_not_reached():
    table = mission_table(summary_of({"a": [1, 1, 0, 1], "b": [0, 0, 0, 0]}))
    assert [c.heading(": ") for c in table.columns] == [
        "mission",
        "target",
        "a: P(met) [95% CI]",
        "a: median at deadline [10–90%]",
        "b: P(met) [95% CI]",
        "b: median at deadline [10–90%]",
    ]
    growth, clean_power = table.rows[0], table.rows[1]
    assert growth[0] == "Growth" and growth[1] == "≥ 2.0 %/yr by 2029Q2"
    assert growth[2:] == (
        "0.75 [0.30, 0.95] n=4",
        "3.5 [2.3–4.7]",
        "0.00 [0.00, 0.49] n=4",
        "3.5 [2.3–4.7]",
    )
    assert clean_power[2:] == ("not reached", "–", "not reached", "–")


def test_markdown_table_shows_p_met_per_scenario():
    text = mission_table(summary_of({"a": [1, 1, 0, 1], "b": [0, 0, 0, 0]}), levels=False)
    lines = text.to_markdown().splitlines()
    assert lines[0] == "| mission | target | a: P(met) [95% CI] | b: P(met) [95% CI] |"
    assert lines[1] == "|---|---|---|---|"
    assert lines[2] == (
        "| Growth | ≥ 2.0 %/yr by 2029Q2 | 0.75 [0.30, 0.95] n=4 | 0.00 [0.00, 0.49] n=4 |"
    )
    assert len(lines) == 2 + len(data.missions())


def test_headline_cells_are_medians_with_their_range():
    table = headline_table(summary_of({"a": [1, 1, 0, 1], "b": [0, 0, 0, 0]}))
    assert [c.heading("\n") for c in table.columns] == ["outcome", "a", "b"]
    investment = table.rows[0]
    assert investment == ("Private mission investment", *["£0.3bn [£0.3bn–£0.3bn]"] * 2)


def test_target_and_p_met_text_of_one_outcome_row():
    row = pd.Series(
        {
            "target": 25486.0,
            "unit": "offences/yr",
            "deadline": "2034Q2",
            "higher_is_better": False,
            "runs_assessed": 10,
            "p_met": 0.6,
            "p_met_low": np.float64(0.3127),
            "p_met_high": 0.8318,
        }
    )
    assert target_text(row) == "≤ 25,486 offences/yr by 2034Q2"
    assert p_met_text(row) == "0.60 [0.31, 0.83] n=10"


def test_seeds_advice_names_the_widest_interval_and_the_seeds_it_needs():
    summary = summary_of({"a": [1, 1, 0, 1], "b": [0, 0, 0, 0]})
    (a, b) = seeds_advice(summary, 0.2)
    assert a.startswith("a: ") and "now 4" in a and "Growth, 0.75 [0.30, 0.95]" in a
    assert f"about {seeds_for_width(0.75, 0.2)} seeds" in a
    assert f"about {seeds_for_width(0.0, 0.2)} seeds" in b
    assert seeds_advice(summary, 1.0) == []  # every interval is narrow enough


def test_run_many_over_worlds_runs_every_world_on_the_same_seeds(pair, tiny_worlds, tmp_path):
    from partnersim.worlds.ensemble import Worlds

    worlds = Worlds.load(tiny_worlds).head(2)
    calls = []
    runset = run_many(pair, 2, root=7, worlds=worlds, on_progress=lambda *a: calls.append(a))
    seeds = derive_seeds(7, 2)
    ids = [w.id for w in worlds]
    assert runset.worlds == tuple(ids) and runset.seeds == tuple(seeds)
    expected = [(s.name, w, seed) for s in pair for w in ids for seed in seeds]
    keys = runset.summary[["scenario", "world", "seed"]].itertuples(index=False, name=None)
    assert list(keys) == expected
    assert list(runset.summary.columns[:3]) == ["scenario", "world", "seed"]
    assert list(runset.timeseries.columns[:3]) == ["scenario", "world", "seed"]
    assert [c[2] for c in calls][:2] == [f"small world {ids[0]}"] * 2
    # Each run is the run of that scenario in that world on that seed.
    one = run(pair[1], seeds[1], world=worlds[1])
    row = runset.summary.iloc[-1]
    assert row["nhs_level_final"] == one.summary["nhs_level_final"]
    assert runset.manifest["worlds"] == {
        "path": str(tiny_worlds / "worlds.parquet"),
        "digest": Worlds.load(tiny_worlds).digest,
        "ids": ids,
    }
    assert "2 worlds × 2 seeds" in runset.title
    written = write_run_folder(runset, tmp_path / "runs", figure=False)
    assert results.load(written).manifest["worlds"]["ids"] == ids


def test_run_many_without_worlds_records_no_world(pair):
    runset = run_many(pair, 1)
    assert "world" not in runset.summary and "world" not in runset.timeseries
    assert "worlds" not in runset.manifest and runset.worlds == ()
