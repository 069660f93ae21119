"""The stylised-facts report runs and reports every check (the facts are reported, not asserted)."""

from __future__ import annotations

import subprocess
import sys

from partnersim.validation import all_checks, to_markdown


def test_every_check_runs_and_renders():
    checks = all_checks(n_seeds=2, n_businesses=80)
    assert [c.name for c in checks] == [
        "Mission policies crowd in private investment",
        "The mission advantage needs patience and tolerance of risk",
        "Technology missions move more easily than broad social ones",
        "The status quo misses the NHS 2029 target",
    ]
    for c in checks:
        assert c.finding
        assert c.holds in (True, False, None)
        assert len(c.table)
    text = to_markdown(checks, "test")
    assert text.count("### ") == 4


def test_validate_patterns_writes_between_its_markers(tmp_path):
    doc = tmp_path / "validation.md"
    doc.write_text("before\n<!-- BEGIN PATTERNS -->\nold\n<!-- END PATTERNS -->\nafter\n")
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
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    text = doc.read_text()
    assert text.startswith("before\n")
    assert text.rstrip().endswith("after")
    assert "old" not in text
    assert "Mission policies crowd in private investment" in text
