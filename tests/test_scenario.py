"""Scenario files: validation, inheritance, hashing and round trips."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnersim import Scenario, ScenarioError
from partnersim.levers import LEVER_NAMES, PARAMETERS, SECTIONS

from .conftest import SCENARIOS


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_validate_and_say_what_they_answer(path):
    scenario = Scenario.from_toml(path)
    assert scenario.name == path.stem
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Question:"), "each scenario file opens with the question it answers"


def test_required_scenarios_exist():
    names = {p.stem for p in SCENARIOS}
    assert {
        "westminster_default",
        "mission_driven",
        "mission_driven_delayed",
        "orchestration_only",
        "orchestration_without_capability",
        "derisking_only",
        "symbiotic_partnership",
        "devolution_only",
        "devolution_with_capability",
    } <= names


def test_status_quo_file_equals_declared_defaults():
    from .conftest import load

    assert load("westminster_default").content_hash == Scenario.default().content_hash


def test_extends_inherits_and_overrides():
    from .conftest import load

    base, child = load("mission_driven"), load("mission_driven_delayed")
    assert child.start_step == 4
    assert child.orchestration == base.orchestration
    assert child.content_hash != base.content_hash


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_toml_round_trip(path):
    scenario = Scenario.from_toml(path)
    again = Scenario.from_dict(tomllib.loads(scenario.to_toml()))
    assert again == scenario
    assert again.content_hash == scenario.content_hash
    assert dict(again.values) == dict(scenario.values)


def test_hash_ignores_name_and_text_but_not_values():
    s = Scenario.default()
    assert s.evolve(name="other", description="x").content_hash == s.content_hash
    assert s.evolve(orchestration=0.5).content_hash != s.content_hash


def test_scenario_is_frozen():
    s = Scenario.default()
    with pytest.raises(AttributeError):
        s.name = "x"
    with pytest.raises(TypeError):
        s.values["orchestration"] = 1.0


def test_unknown_key_suggests_the_closest(tmp_path):
    path = write(tmp_path, "bad.toml", "[levers]\norchestraton = 0.5\n")
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(path)
    message = str(info.value)
    assert "bad.toml:2" in message
    assert "levers.orchestraton" in message
    assert "did you mean 'orchestration'" in message


def test_key_in_the_wrong_table_names_its_home(tmp_path):
    path = write(tmp_path, "bad.toml", "[levers]\nn_businesses = 10\n")
    with pytest.raises(ScenarioError, match=r"belongs in \[scale\]"):
        Scenario.from_toml(path)


def test_out_of_range_names_allowed_values(tmp_path):
    path = write(tmp_path, "bad.toml", "[levers]\nrisk_share = 0.95\n")
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(path)
    assert "levers.risk_share" in str(info.value)
    assert "from 0 to 0.8" in str(info.value)


def test_wrong_type(tmp_path):
    path = write(tmp_path, "bad.toml", '[scale]\nn_businesses = "many"\n')
    with pytest.raises(ScenarioError, match=r"scale.n_businesses: must be an integer"):
        Scenario.from_toml(path)


def test_malformed_toml_gives_the_line(tmp_path):
    path = write(tmp_path, "bad.toml", "[levers]\norchestration = = 0.5\n")
    with pytest.raises(ScenarioError, match=r"bad.toml:2: <toml>: malformed TOML"):
        Scenario.from_toml(path)


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        Scenario.from_toml(tmp_path / "nope.toml")


def test_missing_parent(tmp_path):
    path = write(tmp_path, "child.toml", 'extends = "parent.toml"\n')
    with pytest.raises(
        ScenarioError, match=r"child.toml:1: extends: parent scenario 'parent.toml' not found"
    ):
        Scenario.from_toml(path)


def test_extends_cycle(tmp_path):
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    path = write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="inheritance cycle"):
        Scenario.from_toml(path)


def test_problem_in_parent_is_reported_against_the_parent(tmp_path):
    write(tmp_path, "parent.toml", "[levers]\ndevolution = 2.0\n")
    path = write(tmp_path, "child.toml", 'extends = "parent"\n')
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(path)
    assert "parent.toml:2" in str(info.value)


def test_cross_field_rules(tmp_path):
    cases = {
        "[levers]\ndevolution = 0.2\n[scale]\nn_local_authorities = 0\n": "levers.devolution",
        "[levers]\nconditionality = 0.5\nrisk_share = 0.0\nfinance_alignment = 0.0\n": (
            "levers.conditionality"
        ),
        "[levers]\nreward_share = 0.2\nrisk_share = 0.0\nfinance_alignment = 0.0\n": (
            "levers.reward_share"
        ),
    }
    for text, key in cases.items():
        with pytest.raises(ScenarioError) as info:
            Scenario.from_toml(write(tmp_path, "x.toml", text))
        assert key in str(info.value), text


def test_all_problems_are_reported_together(tmp_path):
    path = write(tmp_path, "bad.toml", "[levers]\norchestration = 3\nrisk_share = -1\n")
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(path)
    assert len(info.value.problems) == 2


def test_per_lever_start_steps():
    s = Scenario.default().evolve(start_step=0, start_steps={"devolution": 6})
    assert s.lever_start("devolution") == 6
    assert s.lever_start("orchestration") == 0
    with pytest.raises(ScenarioError, match=r"start_steps\.nonsense"):
        Scenario.default().evolve(start_steps={"nonsense": 1})


def test_evolve_rejects_unknown_keyword():
    with pytest.raises(ScenarioError, match=r"orchestraton.*did you mean 'orchestration'"):
        Scenario.default().evolve(orchestraton=0.5)


# -- property-based: any scenario dict loads and round-trips, or names the offending key ---------

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 2_000_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
)
_keys = st.one_of(st.sampled_from(sorted(PARAMETERS)), st.text(min_size=1, max_size=12))


@st.composite
def scenario_dicts(draw):
    out = {}
    for section in [*(s.value for s in SECTIONS), "start_steps"]:
        if draw(st.booleans()):
            keys = (
                st.one_of(st.sampled_from(LEVER_NAMES), _keys)
                if section == "start_steps"
                else _keys
            )
            out[section] = draw(st.dictionaries(keys, _values, max_size=4))
    if draw(st.booleans()):
        out[draw(st.text(min_size=1, max_size=8))] = draw(_values)
    return out


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(scenario_dicts())
def test_any_dict_loads_and_round_trips_or_names_a_key(data):
    try:
        scenario = Scenario.from_dict(data)
    except ScenarioError as exc:
        error = exc
    else:
        error = None
    if error is not None:
        assert error.problems
        for problem in error.problems:
            assert problem.key
            assert problem.key in str(error)
        return
    again = Scenario.from_dict(tomllib.loads(scenario.to_toml()))
    assert again == scenario
