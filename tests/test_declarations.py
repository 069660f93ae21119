"""One declaration per concept: a lever, an outcome, a rule — each read by everything downstream.

The lever example of docs/CONTRIBUTING.md is proved here: a lever declared in one place (a
test-only declaration, made in a fresh interpreter so that no other test sees it) reaches the
scenario schema, the model attribute, the summary column, the sweep factors and the dashboard
controls with no other edit.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from partnersim import Scenario, ScenarioError
from partnersim.model.metrics import METRICS
from partnersim.runs.outcomes import (
    MISSION_KINDS,
    OUTCOMES,
    Direction,
    mission_column,
    outcome_names,
)
from partnersim.schema.levers import (
    LEVER_NAMES,
    LEVERS,
    PARAMETERS,
    RULES,
    Parameter,
    Section,
    declare,
    timing_lever,
)

from .conftest import ROOT

LEVER_EXAMPLE = r"""
import json
import solara
import ipyvuetify as v

from partnersim.schema.levers import Parameter, Section, declare

declare(
    Parameter(
        "test_lever",
        Section.LEVERS,
        float,
        0.0,
        0.0,
        1.0,
        unit="share",
        label="Test lever",
        doc="A lever declared by a test only.",
        source="Test.",
    )
)

from partnersim import PartnershipModel, Scenario, ScenarioError, run
from partnersim.app.controls import ScenarioControls
from partnersim.experiments.sweep import SweepSpec, plan
from partnersim.results import runs_tables

out = {}
small = dict(n_businesses=60, n_local_authorities=20)
scenario = Scenario.from_dict({"levers": {"test_lever": 0.5}, "scale": small, "run": {"steps": 3}})
out["schema"] = scenario.values["test_lever"]
try:
    Scenario.from_dict({"levers": {"test_lever": 2.0}})
except ScenarioError as exc:
    out["out_of_range"] = str(exc)
out["toml_round_trip"] = "test_lever = 0.5" in scenario.to_toml()
model = PartnershipModel(scenario, rng=1)
out["attribute_before"] = model.test_lever
model.step()
out["attribute_after"] = model.test_lever
out["in_force"] = model.quarter.levers["test_lever"]
_, summary = runs_tables([run(scenario, 1)])
out["summary_column"] = float(summary["test_lever"].iloc[0])
spec = SweepSpec.from_dict(
    {
        "scenario": "scenarios/westminster_default.toml",
        "design": "lhs",
        "samples": 3,
        "levers": {"test_lever": {"low": 0.1, "high": 0.9}},
    }
)
out["sweep_factor"] = [f.name for f in spec.factors]
out["sweep_plan"] = sorted(float(x) for x in plan(spec)["test_lever"])
import solara.server.app  # noqa: F401 - installs the display hook controls are drawn through
import solara.server.kernel
import solara.server.kernel_context as kernel_context

values = dict(Scenario.default().values)
ctx = kernel_context.VirtualKernelContext(
    id="test-declarations", kernel=solara.server.kernel.Kernel(), session_id="s"
)
with ctx:
    _, rc = solara.render(ScenarioControls(values, lambda *a: None, 40), handle_error=False)
    box = rc.find(v.Html, attributes={"data-parameter": "test_lever"})
    out["control"] = box.find(v.Slider).widget.label
    ctx.close()
print(json.dumps(out))
"""


def test_a_lever_declared_once_reaches_schema_model_results_sweeps_and_dashboard():
    result = subprocess.run(
        [sys.executable, "-c", LEVER_EXAMPLE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["schema"] == 0.5
    assert "levers.test_lever" in out["out_of_range"] and "from 0 to 1" in out["out_of_range"]
    assert out["toml_round_trip"]
    assert out["attribute_before"] == 0.0  # the status-quo default before the lever's start
    assert out["attribute_after"] == out["in_force"] == 0.5
    assert out["summary_column"] == 0.5
    assert out["sweep_factor"] == ["test_lever"]
    assert (
        len(out["sweep_plan"]) == 3 and 0.1 <= out["sweep_plan"][0] < out["sweep_plan"][-1] <= 0.9
    )
    assert out["control"] == "Test lever"


def test_the_registry_refuses_a_second_declaration_of_a_name():
    with pytest.raises(ValueError, match="declared twice"):
        declare(PARAMETERS["orchestration"])


def test_a_bad_default_is_refused_at_declaration():
    bad = Parameter("bad_lever", Section.LEVERS, float, 2.0, 0.0, 1.0)
    with pytest.raises(ValueError, match="outside"):
        declare(bad)
    assert "bad_lever" not in PARAMETERS


def test_exactly_one_lever_times_the_others():
    assert timing_lever() in LEVERS
    assert timing_lever().name not in LEVER_NAMES
    assert [p.name for p in LEVERS if p.scheduled] == list(LEVER_NAMES)


def _breaking(rule) -> dict:
    """Tables that break ``rule``: its parameter on, everything it needs off."""
    changes = {rule.parameter: PARAMETERS[rule.parameter].high or 1}
    changes.update(dict.fromkeys(rule.any_of, 0))
    tables: dict = {}
    for name, value in changes.items():
        tables.setdefault(PARAMETERS[name].section.value, {})[name] = value
    return tables


@pytest.mark.parametrize("rule", [r for r in RULES if r.error], ids=lambda r: r.parameter)
def test_every_error_rule_refuses_the_scenario(rule):
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(_breaking(rule))
    keys = {p.key for p in caught.value.problems}
    assert f"{PARAMETERS[rule.parameter].section.value}.{rule.parameter}" in keys
    assert any(rule.message() == p.message for p in caught.value.problems)


@pytest.mark.parametrize(
    "rule", [r for r in RULES if not r.error], ids=lambda r: f"{r.parameter}-{r.any_of[0]}"
)
def test_every_inert_setting_is_noted_not_refused(rule):
    scenario = Scenario.from_dict(_breaking(rule))
    assert rule.broken(scenario.values)
    assert any(rule.message() in note for note in scenario.notes())


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.parameter}-{r.any_of[0]}")
def test_each_rule_is_satisfied_by_any_one_of_its_requirements(rule):
    for name in rule.any_of:
        values = {**Scenario.default().values, **dict.fromkeys(rule.any_of, 0)}
        values[rule.parameter] = PARAMETERS[rule.parameter].high or 1
        values[name] = PARAMETERS[name].high or 1
        assert not rule.broken(values), name


def test_outcome_names_are_unique_and_clash_with_no_metric_or_parameter():
    names = outcome_names()
    assert len(set(names)) == len(names)
    clashes = (set(names) & {m.name for m in METRICS}) | (set(names) & set(PARAMETERS))
    clashes |= {m.name for m in METRICS} & set(PARAMETERS)
    assert not clashes, clashes


def test_every_mission_has_the_same_outcomes_by_one_rule():
    from partnersim import data

    for m in data.missions():
        own = [o for o in OUTCOMES if o.mission == m.name]
        kinds = [o.name.removeprefix(f"{m.name}_") for o in own]
        assert kinds[: len(MISSION_KINDS)] == list(MISSION_KINDS)
        assert len(own) == len(MISSION_KINDS) + len(m.milestones)
        level = next(o for o in own if o.name == mission_column(m.name, "level_at_deadline"))
        # A level is better higher or lower as its mission says.
        assert level.larger_is_better == m.higher_is_better
    with pytest.raises(ValueError, match="not a mission outcome"):
        mission_column("nhs", "levle")


def test_every_outcome_says_which_way_is_better_and_what_it_is():
    for o in OUTCOMES:
        assert isinstance(o.direction, Direction)
        assert o.label and o.unit, o.name


def test_no_module_keys_behaviour_on_a_parameter_name():
    """Timing and quarter-valued parameters are found by their declared properties."""
    offenders = []
    for path in (ROOT / "src" / "partnersim").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for needle in ('.endswith("_step")', 'p.name == "start_step"', 'p != "start_step"'):
            if needle in text:
                offenders.append(f"{path.relative_to(ROOT)}: {needle}")
    assert not offenders, offenders


def test_mission_outcome_suffixes_are_spelled_only_where_declared():
    """Per-mission columns are named by ``mission_column``, not by hand (``f"{m}_met"``)."""
    import ast

    declared = ROOT / "src" / "partnersim" / "runs" / "outcomes.py"
    suffixes = tuple(f"_{kind}" for kind in MISSION_KINDS)
    offenders = []
    for path in (ROOT / "src" / "partnersim").rglob("*.py"):
        if path == declared:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.JoinedStr):  # f-strings: a mission name, then a suffix
                continue
            for part in node.values:
                if isinstance(part, ast.Constant) and str(part.value).endswith(suffixes):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {part.value!r}")
    assert not offenders, offenders
