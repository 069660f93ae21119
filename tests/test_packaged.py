"""Shipped scenarios and sweeps by name: a path wins, a bare name falls back to the package."""

from __future__ import annotations

import tomllib

import pytest

from partnersim import Scenario, ScenarioError
from partnersim.experiments.sweep import SweepSpec
from partnersim.schema import packaged

from .conftest import ROOT
from .test_cli import assert_clean_failure, cli


def test_every_shipped_file_is_catalogued_with_its_description():
    for kind in ("scenarios", "sweeps"):
        files = sorted((ROOT / kind).glob("*.toml"))
        entries = packaged.catalogue(kind)
        assert list(entries) == [p.stem for p in files]
        for path in files:
            entry = entries[path.stem]
            assert entry.path.read_bytes() == path.read_bytes()
            description = tomllib.loads(path.read_text(encoding="utf-8"))["description"]
            assert entry.description == description and description


def test_a_packaged_name_loads_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = Scenario.from_toml(ROOT / "scenarios" / "mission_driven.toml")
    for ref in ("mission_driven", "mission_driven.toml"):
        assert Scenario.from_toml(ref) == expected
    assert SweepSpec.from_toml("risk_reward_grid").content_hash == (
        SweepSpec.from_toml(ROOT / "sweeps" / "risk_reward_grid.toml").content_hash
    )


def test_a_file_wins_over_a_packaged_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mission_driven.toml").write_text('name = "mine"\n', encoding="utf-8")
    assert Scenario.from_toml("mission_driven").name == "mine"
    assert Scenario.from_toml("mission_driven.toml").name == "mine"


def test_extends_a_packaged_name_unless_a_sibling_file_has_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    child = tmp_path / "sub" / "child.toml"
    child.parent.mkdir()
    child.write_text('extends = "mission_driven"\n[levers]\ndevolution = 0.1\n', "utf-8")
    packaged_parent = Scenario.from_toml("mission_driven")
    loaded = Scenario.from_toml(child)
    assert loaded.devolution == 0.1
    assert loaded.orchestration == packaged_parent.orchestration != Scenario.default().orchestration

    (child.parent / "mission_driven.toml").write_text("[levers]\norchestration = 0.05\n", "utf-8")
    assert Scenario.from_toml(child).orchestration == 0.05


def test_an_unknown_name_lists_the_packaged_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError, match=r"no such file.*packaged: .*mission_driven"):
        Scenario.from_toml("mission_drivn")
    (tmp_path / "c.toml").write_text('extends = "nope"\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"extends: parent scenario 'nope' not found.*westm"):
        Scenario.from_toml("c.toml")
    # A relative path is never taken for a name.
    with pytest.raises(ScenarioError, match="no such file"):
        Scenario.from_toml("elsewhere/mission_driven.toml")


def test_a_sweep_file_names_its_base_scenario(tmp_path):
    spec = tmp_path / "two.toml"
    spec.write_text(
        'name = "two"\nscenario = "westminster_default"\ndesign = "list"\n'
        "[[points]]\nrisk_share = 0.1\n[[points]]\nrisk_share = 0.4\n",
        encoding="utf-8",
    )
    loaded = SweepSpec.from_toml(spec)
    assert loaded.base == Scenario.from_toml("westminster_default")
    assert len(loaded.points) == 2


def test_cli_lists_prints_and_runs_packaged_files(tmp_path):
    listing = cli("scenarios", cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    for kind in ("scenarios", "sweeps"):
        for entry in packaged.catalogue(kind).values():
            assert f"  {entry.name}" in listing.stdout
            assert entry.description in listing.stdout

    shown = cli("scenarios", "mission_driven", cwd=tmp_path)
    assert shown.stdout == (ROOT / "scenarios" / "mission_driven.toml").read_text("utf-8")
    assert_clean_failure(cli("scenarios", "nope", cwd=tmp_path), "nope", "westminster_default")

    result = cli(
        "run",
        "mission_driven",
        "--seeds",
        "1",
        "--steps",
        "2",
        "--quiet",
        "--out",
        "o",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "o" / "manifest.json").is_file()
    assert_clean_failure(cli("run", "mission_drivn", cwd=tmp_path), "mission_drivn", "packaged:")
