"""Results of every shipped scenario are those saved in tests/regression/.

A change that is meant to move results regenerates the fixture (``python
tests/regression/update.py``) and says in CHANGELOG.md what changed and why; any other change
must leave every frame identical. Summaries are compared bit for bit; time series to a relative
1e-14 (about 45 units in the last place): numpy's SIMD reductions sum in a different order on
CPUs with different vector instructions (AVX-512 against AVX2), which moves a few values by one
or two units in the last place and nothing else — on one machine, runs are identical bit for
bit (tests/test_model.py, tests/test_sweep.py), and any change of the model moves far more.
"""

from __future__ import annotations

import pandas as pd
import pytest

from .regression import update

SAVED_SERIES = update.HERE / "timeseries.parquet"
SAVED_SUMMARY = update.HERE / "summary.parquet"


@pytest.fixture(scope="module")
def fresh() -> tuple[pd.DataFrame, pd.DataFrame]:
    return update.frames()


def test_the_fixture_covers_every_shipped_scenario():
    saved = set(pd.read_parquet(SAVED_SUMMARY)["case"])
    assert saved == {label for label, _, _ in update.cases()}


def test_time_series_are_unchanged(fresh):
    saved = pd.read_parquet(SAVED_SERIES)
    pd.testing.assert_frame_equal(fresh[0], saved, check_exact=False, rtol=1e-14, atol=0.0)


def test_summaries_are_unchanged(fresh):
    saved = pd.read_parquet(SAVED_SUMMARY)
    pd.testing.assert_frame_equal(fresh[1], saved, check_exact=True)
