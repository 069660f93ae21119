"""The live page's address: query strings read and written (partnersim.app.query)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from partnersim.app.query import CONTROLLED, encode_query, parse_query, parse_value
from partnersim.schema.levers import LEVERS, UNCERTAINTIES

NAMES = ["mission_driven", "westminster_default"]


def test_an_address_gives_scenario_levers_and_seed():
    asked = parse_query(
        "scenario=mission_driven&orchestration=0.9&start_step=4&shock=pandemic&seed=3", NAMES, 40
    )
    assert asked.scenario == "mission_driven"
    assert asked.values == {"orchestration": 0.9, "start_step": 4, "shock": "pandemic"}
    assert type(asked.values["start_step"]) is int
    assert asked.seed == 3
    assert asked.ignored == ()


def test_an_empty_address_asks_for_nothing():
    for search in (None, ""):
        asked = parse_query(search, NAMES)
        assert (asked.scenario, dict(asked.values), asked.seed, asked.ignored) == (
            None,
            {},
            None,
            (),
        )


@pytest.mark.parametrize(
    ("search", "key", "words"),
    [
        ("orchestration=7", "orchestration", "a number from 0 to 1"),
        ("orchestration=much", "orchestration", "a number from 0 to 1"),
        ("orchestration=nan", "orchestration", "a number from 0 to 1"),
        ("risk_share=0.9", "risk_share", "a number from 0 to 0.8"),
        ("start_step=2.5", "start_step", "an integer from 0 to 40"),
        ("start_step=41", "start_step", "an integer from 0 to 40 (a quarter of the run)"),
        ("shock=flood", "shock", "one of 'none', 'energy_price'"),
        ("frobnicate=1", "frobnicate", "not a lever or uncertainty"),
        ("steps=4", "steps", "not a lever or uncertainty"),
        ("scenario=elsewhere", "scenario", "allowed: mission_driven, westminster_default"),
        ("seed=-2", "seed", "a whole number from 0"),
        ("seed=x", "seed", "a whole number from 0"),
    ],
)
def test_a_value_not_allowed_is_ignored_with_a_notice_naming_key_and_range(search, key, words):
    asked = parse_query(f"{search}&partnership=0.5", NAMES, steps=40)
    assert asked.values == {"partnership": 0.5}  # the rest of the address is still used
    assert [i.key for i in asked.ignored] == [key]
    text = str(asked.ignored[0])
    assert text.startswith(f"{key}=")
    assert words in text


def test_a_given_scenario_ignores_the_address_scenario():
    asked = parse_query("scenario=mission_driven", None)
    assert asked.scenario is None
    assert "one given scenario" in str(asked.ignored[0])


def test_encoding_writes_declaration_order_and_leaves_the_default_seed_out():
    assert encode_query("a", {"start_step": 3, "orchestration": 0.9}, 1) == (
        "scenario=a&orchestration=0.9&start_step=3"
    )
    assert encode_query(None, {}, 5) == "seed=5"
    assert encode_query() == ""
    with pytest.raises(KeyError, match="steps"):
        encode_query("a", {"steps": 4})


def test_numbers_are_written_short_but_read_back_exactly():
    values = {"orchestration": 0.1 + 0.2, "nhs_funding": 0.7425, "partnership": 1.0}
    search = encode_query("a", values)
    assert "partnership=1&" in search and "nhs_funding=0.7425" in search
    assert parse_query(search, ["a"]).values == values


def _value(p):
    if p.choices is not None:
        return st.sampled_from(p.choices)
    if p.kind is int:
        return st.integers(int(p.low), int(min(p.high, 40) if p.quarter else p.high))
    return st.floats(p.low, p.high, allow_nan=False)


@given(
    st.dictionaries(
        st.sampled_from([p.name for p in (*LEVERS, *UNCERTAINTIES)]), st.none()
    ).flatmap(
        lambda keys: st.fixed_dictionaries({k: _value(CONTROLLED[k]) for k in keys}),
    ),
    st.sampled_from([None, *NAMES]),
    st.integers(0, 2**63),
)
def test_any_allowed_state_round_trips(values, scenario, seed):
    asked = parse_query(encode_query(scenario, values, seed), NAMES, steps=40)
    assert asked.ignored == ()
    assert asked.scenario == scenario
    assert dict(asked.values) == values
    assert asked.seed == (None if seed == 1 else seed)


def test_parse_value_accepts_the_bounds_and_rejects_past_them():
    p = CONTROLLED["devolution"]
    assert parse_value(p, "0") == 0.0 and parse_value(p, "0.6") == 0.6
    with pytest.raises(ValueError, match=r"from 0 to 0\.6"):
        parse_value(p, "0.61")
