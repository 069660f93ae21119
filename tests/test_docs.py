"""Documentation stays true to the code: generated tables current, every parameter covered."""

from __future__ import annotations

from partnersim import data
from partnersim.credibility import docs as _docs
from partnersim.schema.levers import PARAMETERS

from .conftest import ROOT

ODD = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8")


def test_generated_tables_are_current():
    assert _docs.render(ODD) == ODD, "run: python -m partnersim.credibility.docs docs/ODD.md"


def test_every_parameter_and_assumption_is_described():
    for name in PARAMETERS:
        assert f"`{name}`" in ODD, name
    for group, entries in data.read("assumptions").items():
        for name in entries:
            assert f"`{name}`" in ODD, f"{group}.{name}"


def test_every_data_value_has_a_source_and_status():
    for row in data.read("departments")["department"]:
        assert row["source"] and row["status"] in {"real", "approximate", "assumption"}
    for row in data.read("places")["region"]:
        assert row["population_source"] and row["councils_source"]
    for row in data.read("businesses")["size_band"]:
        assert row["source"] and row["status"]
    for row in data.read("unions")["union"]:
        assert row["source"] and row["status"]
    for m in data.missions():
        assert m.baseline_source and m.target_source
    for entries in data.read("assumptions").values():
        for entry in entries.values():
            assert entry["doc"] and entry["unit"]


def test_odd_process_overview_lists_the_phases_in_order():
    import re

    from partnersim.model.partnership import PHASES

    text = ODD.split("<!-- BEGIN PHASES -->")[1].split("<!-- END PHASES -->")[0]
    listed = re.findall(r"^\d+\. `([\w.]+)`", text, flags=re.MULTILINE)
    actual = [f"{p.__module__.rsplit('.', 1)[-1]}.{p.__name__}" for p in PHASES]
    assert listed == actual, "docs/ODD.md §3 must list partnersim.model.partnership.PHASES"
    for phase in PHASES:  # each phase says what it is in its first docstring line
        assert phase.__doc__ and phase.__doc__.strip().splitlines()[0].endswith((")", ".")), phase


def test_every_lever_names_an_instrument_and_a_source_or_an_uncertainty():
    import re

    from partnersim.schema.levers import LEVERS, variable

    for p in LEVERS:
        assert p.instrument and p.instrument in ODD, p.name
        assert p.evidence and p.evidence in ODD, p.name
        if p.timing:  # when levers start: its effect is the other levers', an output
            continue
        named = re.match(r"Uncertaint(?:y|ies) (.+?):", p.evidence)
        if named:
            # every uncertainty it names is declared, with a plausible range
            names = re.findall(r"([a-z_]+(?:\.[a-z_]+)?) \(", named.group(1))
            assert names, p.name
            for name in names:
                assert variable(name).plausible is not None, (p.name, name)
        else:
            # or the evidence cites a publication (a year in the text)
            assert re.search(r"\b(19|20)\d\d\b", p.evidence), p.name


def test_every_approximate_budget_carries_a_range_around_its_value():
    for row in data.read("departments")["department"]:
        if row["status"] == "approximate":
            low, high = row["range"]
            assert low < row["del_2023_24_gbp_m"] < high, row["code"]
