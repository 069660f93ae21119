"""Scenario files: validation, inheritance, hashing and round trips."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnersim import Scenario, ScenarioError
from partnersim.schema.levers import LEVER_NAMES, SECTIONS

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
    text = "[levers]\ndevolution = 0.2\n[scale]\nn_local_authorities = 0\n"
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(write(tmp_path, "x.toml", text))
    assert "levers.devolution" in str(info.value)


def test_inert_deal_terms_are_noted_not_refused(tmp_path):
    text = "[levers]\nreward_share = 0.2\nrisk_share = 0.0\nconditionality = 0.5\n"
    scenario = Scenario.from_toml(write(tmp_path, "x.toml", text))
    notes = scenario.notes()
    assert any(n.startswith("levers.reward_share:") and "no effect" in n for n in notes)
    no_deals = scenario.evolve(finance_alignment=0.0)
    assert any(n.startswith("levers.conditionality:") for n in no_deals.notes())


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


def test_a_parents_pinned_lever_start_survives_a_childs_new_start_step(tmp_path):
    write(tmp_path, "parent.toml", 'name = "parent"\n[start_steps]\norchestration = 0\n')
    child = Scenario.from_toml(
        write(tmp_path, "child.toml", 'extends = "parent.toml"\n[levers]\nstart_step = 4\n')
    )
    assert child.lever_start("orchestration") == 0
    assert child.lever_start("devolution") == 4
    # A start equal to the global one changes nothing, so it does not change the hash.
    plain = Scenario.default()
    assert plain.evolve(start_steps={"devolution": 0}).content_hash == plain.content_hash


def test_extends_in_a_dict_is_refused_not_ignored():
    with pytest.raises(ScenarioError, match=r"extends.*from_toml"):
        Scenario.from_dict({"name": "x", "extends": "nonexistent.toml"})


def test_inert_settings_are_noted():
    assert Scenario.default().notes() == []
    late = Scenario.default().evolve(start_step=40, shock="pandemic", shock_step=50)
    notes = late.notes()
    assert any("every lever starts at or after quarter 40" in n for n in notes)
    assert any("never happens" in n for n in notes)
    one = Scenario.default().evolve(start_steps={"devolution": 45})
    assert one.notes() == [
        "devolution starts at or after quarter 40, the end of the run (run.steps = 40): "
        "the run is the status quo for it"
    ]


def test_evolve_rejects_unknown_keyword():
    with pytest.raises(ScenarioError, match=r"orchestraton.*did you mean 'orchestration'"):
        Scenario.default().evolve(orchestraton=0.5)


# -- property-based: any scenario dict loads and round-trips, or names the offending key ---------

_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 2_000_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(), max_size=2),
)


def _valid(param):
    if param.choices:
        return st.sampled_from(param.choices)
    if param.kind is bool:
        return st.booleans()
    if param.kind is int:
        return st.integers(int(param.low), int(min(param.high, 5_000)))
    if param.kind is float:
        return st.floats(param.low, param.high, allow_nan=False)
    return st.text(max_size=8)


@st.composite
def scenario_dicts(draw):
    """Mostly declared keys with in-range values, sometimes junk keys or values."""
    out = {}
    for section, params in SECTIONS.items():
        if draw(st.booleans()):
            table = {}
            for param in draw(st.lists(st.sampled_from(params), max_size=4, unique=True)):
                bad = draw(st.integers(0, 9)) == 0
                table[param.name] = draw(_junk if bad else _valid(param))
            if draw(st.integers(0, 9)) == 0:
                table[draw(st.text(min_size=1, max_size=12))] = draw(_junk)
            out[section.value] = table
    if draw(st.integers(0, 3)) == 0:
        keys = st.one_of(st.sampled_from(LEVER_NAMES), st.text(min_size=1, max_size=12))
        values = st.one_of(st.integers(0, 60), _junk)
        out["start_steps"] = draw(st.dictionaries(keys, values, max_size=3))
    if draw(st.integers(0, 9)) == 0:
        out[draw(st.text(min_size=1, max_size=8))] = draw(_junk)
    return out


def _input_keys(data) -> set[str]:
    """Every key of the input, top-level and dotted."""
    keys = {str(k) for k in data}
    for table, content in data.items():
        if isinstance(content, dict):
            keys |= {f"{table}.{k}" for k in content}
    return keys


CROSS_FIELD_KEYS = {"levers.devolution", "levers.conditionality", "levers.reward_share"}


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
            # The named key is one the input holds (or a lever a cross-field rule is about).
            assert problem.key in _input_keys(data) | CROSS_FIELD_KEYS, problem
            assert problem.message
        return
    for table, content in data.items():  # every given value is the scenario's value
        for key, value in content.items():
            if table == "start_steps":
                assert scenario.lever_start(key) == value
            else:
                assert scenario.values[key] == value
    again = Scenario.from_dict(tomllib.loads(scenario.to_toml()))
    assert again == scenario
    assert again.content_hash == scenario.content_hash


def test_a_parents_error_says_which_child_it_came_through(tmp_path):
    write(tmp_path, "parent.toml", "[levers]\norchestration = 3\n")
    write(tmp_path, "child.toml", 'extends = "parent.toml"\n')
    grandchild = write(tmp_path, "grandchild.toml", 'extends = "child.toml"\n')
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(grandchild)
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'parent.toml'}:2: levers.orchestration")
    assert "a parent of" in message and "child.toml <- " in message and "grandchild.toml" in message


def test_an_assumption_is_set_by_its_dotted_name_and_reaches_the_model():
    from partnersim import PartnershipModel, run

    nested = Scenario.from_dict({"assumptions": {"contracting": {"hurdle": 0.15}}})
    dotted = Scenario.from_dict({"assumptions": {"contracting.hurdle": 0.15}})
    kw = Scenario.default().evolve(**{"contracting.hurdle": 0.15})
    assert (
        nested.assumptions == dotted.assumptions == kw.assumptions == {"contracting.hurdle": 0.15}
    )
    assert nested.content_hash == kw.content_hash != Scenario.default().content_hash
    assert PartnershipModel(kw, rng=1).assumptions.contracting.hurdle == 0.15
    assert PartnershipModel(rng=1).assumptions.contracting.hurdle == 0.1  # the shipped value
    round_trip = Scenario.from_dict(tomllib.loads(kw.to_toml()))
    assert round_trip == kw and round_trip.assumptions == kw.assumptions
    small = kw.evolve(n_businesses=50, n_local_authorities=10, steps=2)
    assert run(small, 1).manifest["assumptions"] == {"contracting.hurdle": 0.15}


def test_a_scenario_without_assumptions_keeps_its_hash():
    # The hash covers assumptions only when some are set: published folder names still match.
    assert "assumptions" not in Scenario.default().to_dict()
    assert Scenario.default().evolve(assumptions={}).content_hash == Scenario.default().content_hash


@pytest.mark.parametrize(
    ("table", "fragments"),
    [
        (
            {"contracting": {"hurdel": 0.1}},
            ["assumptions.contracting.hurdel", "contracting.hurdle"],
        ),
        ({"contracting.hurdle": 2.0}, ["out of range", "from 0 to 1"]),
        ({"contracting.project_quarters": 2.5}, ["must be an integer"]),
        ({"contracting.hurdle": "high"}, ["must be a number"]),
        ({"nope": {"x": 1}}, ["assumptions.nope.x", "unknown key"]),
    ],
)
def test_bad_assumptions_are_refused_with_name_and_range(table, fragments):
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict({"assumptions": table})
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_a_child_file_adds_to_its_parents_assumptions(tmp_path):
    parent = tmp_path / "parent.toml"
    parent.write_text("[assumptions]\ncontracting.hurdle = 0.15\nunions.dispute_prob = 0.2\n")
    child = tmp_path / "child.toml"
    child.write_text('extends = "parent.toml"\n[assumptions.contracting]\nhurdle = 0.05\n')
    loaded = Scenario.from_toml(child)
    assert loaded.assumptions == {"contracting.hurdle": 0.05, "unions.dispute_prob": 0.2}
