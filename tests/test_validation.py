"""Stylised facts: the checks compute on small runs, verdicts follow their stated rules, and the
results stated in docs/validation.md are generated from numbers, not written by hand."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from partnersim.credibility.checks import (
    Check,
    crowding_verdict,
    mean_ci,
    nhs_verdict,
    patience_verdict,
    risk_verdict,
    sign_resolved,
    technology_verdict,
)
from partnersim.credibility.experiments import run_validation
from partnersim.credibility.writing import calibration_markdown, to_markdown
from partnersim.runs.summary import wilson_interval

from .conftest import ROOT

NAMES = [
    "Mission policies crowd in private investment",
    "The mission advantage needs patience",
    "The mission advantage needs tolerance of risk",
    "Technology missions move more easily than broad social ones",
    "The status quo misses the NHS 2029 target",
]
DOC = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")


@pytest.fixture
def noisy():
    """Per-seed-like draws from a generator seeded afresh for each test (order-independent)."""
    rng = np.random.default_rng(7)

    def draw(mean: float, n: int = 30, sd: float = 0.1) -> np.ndarray:
        return mean + sd * rng.standard_normal(n)

    return draw


def unresolved(mean: float, spread: float = 1.0, n: int = 30) -> np.ndarray:
    """Symmetric about ``mean`` and wide, so the interval of the mean always includes ``mean``."""
    half = mean + spread * np.linspace(-1.0, 1.0, n // 2)
    return np.concatenate([half, 2 * mean - half])


@pytest.fixture(scope="module")
def small():
    return run_validation(n_seeds=3, n_businesses=80)


def test_every_check_computes_on_a_small_run(small):
    assert [c.name for c in small.checks] == NAMES
    for c in small.checks:
        assert c.finding and len(c.table)
        assert c.holds in (True, False, None)
    # The patience/risk grid: every delay × risk share × seed, finite advantages.
    assert len(small.grid) == 5 * 5 * 3
    assert np.isfinite(small.grid["adv"]).all()
    tech = small.checks[3].table
    assert set(tech["mission"]) == {"clean_power", "safe_streets", "opportunity", "nhs", "growth"}
    assert tech["P(met by deadline)"].between(0, 1).all()
    text = to_markdown(small.checks, "test")
    assert text.count("### ") == 5


def test_mean_ci_and_sign(noisy):
    m, lo, hi = mean_ci(np.array([1.0, 2.0, 3.0]))
    assert m == 2 and lo < 2 < hi
    assert sign_resolved(noisy(1.0)) == 1
    assert sign_resolved(noisy(-1.0)) == -1
    assert sign_resolved(np.array([-1.0, 1.0, -1.0, 1.0])) == 0
    assert sign_resolved(unresolved(0.0)) == 0
    lo, hi = wilson_interval(0, 20)
    assert lo == 0 and 0.15 < hi < 0.17


def test_crowding_verdict_both_ways(noisy):
    assert crowding_verdict(noisy(5.0)) is True
    assert crowding_verdict(noisy(-5.0)) is False
    assert crowding_verdict(np.array([-1.0, 1.0, -2.0, 2.0])) is None


def test_patience_verdict_both_ways_and_threshold(noisy):
    # At 16 quarters the advantage is exactly centred on zero: not resolved above it.
    shrinking = {0: noisy(0.8), 8: noisy(0.4), 16: unresolved(0.0, spread=0.3)}
    holds, threshold = patience_verdict(shrinking)
    assert holds is True and threshold == 16
    growing = {0: noisy(0.2), 16: noisy(0.8)}
    assert patience_verdict(growing) == (False, None)
    # The shrinkage (0 minus 16 quarters) is symmetric about zero: not resolved.
    flat = {0: unresolved(0.5, spread=0.5), 16: np.full(30, 0.5)}
    assert sign_resolved(flat[0] - flat[16]) == 0
    assert patience_verdict(flat)[0] is None


def test_risk_verdict_both_ways_and_threshold_only_if_shown(noisy):
    with_threshold = {0.0: unresolved(0.0, spread=0.3), 0.4: noisy(0.5), 0.8: noisy(0.6)}
    assert risk_verdict(with_threshold) == (True, 0.4)
    no_threshold = {0.0: noisy(0.5), 0.8: noisy(0.7)}
    assert risk_verdict(no_threshold) == (True, None)
    reversed_ = {0.0: noisy(0.7), 0.8: noisy(0.3)}
    assert risk_verdict(reversed_)[0] is False


def test_technology_verdict_all_outcomes(noisy):
    ahead = {"2030 / ss": noisy(0.3), "deadline / ss": noisy(0.2)}
    behind = {"2030 / ss": noisy(-0.3), "deadline / ss": unresolved(0.0, spread=2.0)}
    mixed = {"2030 / ss": noisy(0.3), "deadline / ss": noisy(-0.3)}
    assert technology_verdict(ahead) is True
    assert technology_verdict(behind) is False
    assert technology_verdict(mixed) is None


def test_nhs_verdict_both_ways():
    assert nhs_verdict(0, 20) is True
    assert nhs_verdict(20, 20) is False
    assert nhs_verdict(10, 20) is None


def test_markdown_states_what_the_checks_computed():
    check = Check("A fact", "someone", "the model shows 0.42", None, pd.DataFrame({"x": [0.5]}))
    text = to_markdown([check], "cmd")
    assert "### A fact — inconclusive" in text
    assert "*Model:* the model shows 0.42" in text
    assert "| 0.5 |" in text


def _block(name: str) -> str:
    match = re.search(rf"<!-- BEGIN {name} -->\n(.*?)<!-- END {name} -->", DOC, re.DOTALL)
    assert match, f"docs/validation.md has no {name} block"
    return match.group(1)


def test_validation_doc_calibration_section_is_generated_from_the_shipped_files():
    assert _block("CALIBRATION") == calibration_markdown() + "\n", (
        "run: partnersim validate-patterns --seeds 20 --write docs/validation.md "
        "--figures docs/images"
    )


def test_validation_doc_results_are_the_generated_block():
    block = _block("PATTERNS")
    assert block.startswith("Generated by `partnersim validate-patterns --seeds 20`.")
    for name in NAMES:
        assert re.search(rf"### {re.escape(name)} — (shown|\*\*not shown\*\*|inconclusive)", block)
    # Outside the generated blocks: no generated result sentence (*Model:*) or verdict heading
    # copied by hand, and not the former hand-written commentary that restated results by
    # number ("Reading these results"). Other numbers outside (data, method) are not checked.
    outside = re.sub(r"<!-- BEGIN (\w+) -->.*?<!-- END \1 -->", "", DOC, flags=re.DOTALL)
    assert "Reading these results" not in outside
    assert "*Model:*" not in outside
    for name in NAMES:
        assert f"### {name}" not in outside
    for image in ("validation_calibration", "validation_patience_risk", "validation_missions"):
        assert f"images/{image}.png" in DOC
        assert (ROOT / "docs" / "images" / f"{image}.png").exists()


def test_validate_patterns_writes_between_its_markers(tmp_path):
    doc = tmp_path / "validation.md"
    doc.write_text(
        "before\n<!-- BEGIN CALIBRATION -->\nSTALE-TEXT\n<!-- END CALIBRATION -->\nmiddle\n"
        "<!-- BEGIN PATTERNS -->\nSTALE-TEXT\n<!-- END PATTERNS -->\nbetween\n"
        "<!-- BEGIN ABLATION -->\nSTALE-TEXT\n<!-- END ABLATION -->\nafter\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "partnersim.cli",
            "validate-patterns",
            "--seeds",
            "2",
            "--businesses",
            "60",
            "--write",
            str(doc),
            "--figures",
            str(tmp_path / "images"),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    text = doc.read_text()
    assert text.startswith("before\n")
    assert "\nmiddle\n" in text and "\nbetween\n" in text
    assert text.rstrip().endswith("after")
    for marker in ("CALIBRATION", "PATTERNS", "ABLATION"):
        assert text.count(f"<!-- BEGIN {marker} -->") == 1
    assert "STALE-TEXT" not in text
    assert "Mission policies crowd in private investment" in text
    assert len(list((tmp_path / "images").glob("*.png"))) == 3
