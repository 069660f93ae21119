"""``partnersim run`` and ``compare`` over plausible worlds (``--worlds``, ``--world-count``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from partnersim.worlds.ensemble import Worlds
from partnersim.worlds.tables import WORLDS_MISSIONS, WORLDS_RANKINGS, WORLDS_TEXT

from .conftest import ROOT, cli


def tiny(tmp_path: Path, name: str) -> Path:
    """A shipped scenario at 40 firms and 12 councils (its full length, so deadlines are met)."""
    path = tmp_path / f"{name}.toml"
    path.write_text(
        f'extends = "{ROOT / "scenarios" / f"{name}.toml"}"\n'
        "[scale]\nn_businesses = 40\nn_local_authorities = 12\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def compared(tiny_worlds, tmp_path_factory):
    """``compare`` of two tiny scenarios over the tiny ensemble's worlds × 2 seeds."""
    tmp = tmp_path_factory.mktemp("compare")
    out = tmp / "out"
    done = cli(
        "compare",
        str(tiny(tmp, "westminster_default")),
        str(tiny(tmp, "mission_driven")),
        "--seeds",
        "2",
        "--worlds",
        str(tiny_worlds),
        "--out",
        str(out),
        "--quiet",
    )
    return done, out


def test_compare_over_worlds_prints_combined_intervals_and_ranking_shares(compared, tiny_worlds):
    done, _ = compared
    assert done.returncode == 0, done.stderr
    worlds = Worlds.load(tiny_worlds)
    assert worlds.summary() in done.stdout
    assert f"{len(worlds)} worlds × 2 seeds" in done.stdout
    for heading in ("seeds only [95%]", "worlds × seeds [95%]", "per-world P(met), 10–90%"):
        assert heading in done.stdout
    shares = re.findall(
        r"mission_driven closes more of the NHS gap than westminster_default in (\d+) % of "
        r"worlds \(resolved in (\d+) %",
        done.stdout,
    )
    assert len(shares) == 1
    favoured, resolved = map(int, shares[0])
    assert 0 <= resolved <= favoured <= 100
    assert "costs the public purse less, net, than westminster_default" in done.stdout


def test_compare_over_worlds_writes_the_tables_and_records_the_worlds(compared, tiny_worlds):
    done, out = compared
    assert done.returncode == 0, done.stderr
    worlds = Worlds.load(tiny_worlds)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["worlds"] == {
        "path": str(tiny_worlds / "worlds.parquet"),
        "digest": worlds.digest,
        "ids": [w.id for w in worlds],
    }
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 2 * len(worlds) * 2
    # Common seeds: every scenario and world ran on the same two seeds.
    assert summary.groupby(["scenario", "world"])["seed"].apply(tuple).nunique() == 1
    missions = pd.read_parquet(out / WORLDS_MISSIONS)
    reached = missions[missions["runs"] > 0]
    assert len(reached) == 10  # 2 scenarios × 5 missions, all past their deadlines
    assert (reached["low"] <= reached["seed_low"] + 1e-12).all()
    assert (reached["high"] >= reached["seed_high"] - 1e-12).all()
    rankings = pd.read_parquet(out / WORLDS_RANKINGS)
    assert set(rankings["scenario"]) == {"mission_driven"}
    assert set(rankings["reference"]) == {"westminster_default"}
    ranked = rankings[rankings["worlds"] > 0]
    assert ((ranked["favours_a"] + ranked["favours_b"]) <= 1 + 1e-12).all()
    assert (ranked["resolved_a"] <= ranked["favours_a"]).all()
    text = (out / WORLDS_TEXT).read_text(encoding="utf-8")
    assert "Share of worlds in which each ranking holds" in text


def test_run_over_the_first_worlds(tiny_worlds, tmp_path):
    out = tmp_path / "out"
    done = cli(
        "run",
        str(tiny(tmp_path, "mission_driven")),
        "--seeds",
        "2",
        "--worlds",
        str(tiny_worlds / "worlds.parquet"),
        "--world-count",
        "2",
        "--out",
        str(out),
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    assert "The first 2 of" in done.stdout and "2 worlds × 2 seeds" in done.stdout
    assert "ranking holds" not in done.stdout  # one scenario: nothing to rank
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["worlds"]["ids"] == [w.id for w in Worlds.load(tiny_worlds).head(2)]


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp: tmp / "missing.parquet", "no such worlds file"),
        (lambda tmp: tmp, "no such worlds file"),  # a folder without worlds.parquet
        (lambda tmp: _write(tmp / "notes.parquet", "not parquet"), "not a Parquet file"),
    ],
)
def test_bad_worlds_exit_2_naming_the_file(tmp_path, make, says):
    bad = make(tmp_path)
    done = cli("compare", "westminster_default", "mission_driven", "--worlds", str(bad))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("partnersim: error: ") and str(bad) in done.stderr
    assert says in done.stderr


def test_a_missing_shipped_ensemble_is_an_input_error(tmp_path, monkeypatch):
    """An installation without data/worlds.parquet: 'shipped' is a clear input error."""
    from partnersim.worlds import ensemble

    monkeypatch.setattr(ensemble, "files", lambda package: tmp_path)  # no worlds.parquet there
    with pytest.raises(ensemble.WorldsError, match="no shipped worlds file"):
        ensemble.Worlds.load("shipped")


def test_world_count_needs_worlds():
    done = cli("run", "mission_driven", "--world-count", "2")
    assert done.returncode == 2 and "--world-count needs --worlds" in done.stderr


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
