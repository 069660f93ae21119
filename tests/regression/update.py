"""Regenerate the regression fixture: every shipped scenario's frames on fixed seeds.

Run from the repository root after a change that is meant to move results::

    uv run python tests/regression/update.py

and say in CHANGELOG.md which results changed and why. ``tests/test_regression.py`` fails
whenever the model's frames differ from the saved ones, so a refactor that should change
nothing is checked bit for bit.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from partnersim import Scenario, run

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SEEDS = (11, 12)
SMALL = {"n_businesses": 200, "n_local_authorities": 40}
"""Every shipped scenario runs at this size on both seeds; the two headline scenarios also run
once at the default size (1,000 firms, 382 councils)."""
FULL_SIZE = ("westminster_default", "mission_driven")


def cases() -> list[tuple[str, Scenario, int]]:
    """(label, scenario, seed) of every saved run."""
    out = []
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        scenario = Scenario.from_toml(path)
        small = scenario.evolve(**SMALL)
        out += [(f"{scenario.name}-small-{seed}", small, seed) for seed in SEEDS]
        if scenario.name in FULL_SIZE:
            out.append((f"{scenario.name}-full-{SEEDS[0]}", scenario, SEEDS[0]))
    return out


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The time series and summaries of every case, stacked, with a ``case`` column."""
    series, summaries = [], []
    for label, scenario, seed in cases():
        result = run(scenario, seed)
        ts = result.timeseries.copy()
        ts.insert(0, "case", label)
        series.append(ts)
        summaries.append({"case": label, **result.summary})
    return pd.concat(series, ignore_index=True), pd.DataFrame(summaries)


def main() -> None:
    ts, summary = frames()
    ts.to_parquet(HERE / "timeseries.parquet", index=False)
    summary.to_parquet(HERE / "summary.parquet", index=False)
    print(f"wrote {len(ts)} time-series rows and {len(summary)} summaries to {HERE}")


if __name__ == "__main__":
    main()
