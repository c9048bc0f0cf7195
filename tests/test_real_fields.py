"""No wrong number on the real scans and e-office PDFs of `../shared/real/`.

A number is either right or marked incomplete with its printed part (issue #15): the values
read by eye off the pages are in `benchmarks/data/real_fields.json`, which
`python -m benchmarks real` scores field by field.  Skipped where `../shared/real/` is absent.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import has_tesseract

from benchmarks.bench_real import EXPECTED as EXPECTED_FILE
from benchmarks.bench_real import REAL, documents_table, run_vnplan
from pipeline.vietnamese import canonical

EXPECTED = json.loads(EXPECTED_FILE.read_text("utf-8"))

pytestmark = [pytest.mark.real, pytest.mark.slow, pytest.mark.tesseract]


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """documents.csv of `vnplan run` over the real folders, indexed by `set/file`."""
    if not REAL.is_dir():
        pytest.skip("../shared/real/ is not present")
    if not has_tesseract():
        pytest.skip("tesseract with vie data is not installed")
    out = tmp_path_factory.mktemp("real")
    run_vnplan(out)
    return documents_table(out)


@pytest.mark.parametrize("key", sorted(EXPECTED["files"]))
def test_number_right_or_marked_incomplete(documents: pd.DataFrame, key: str) -> None:
    want = canonical(EXPECTED["files"][key]["number"])
    row = documents.loc[key]
    got = canonical(str(row["number"]))
    if row["number_complete"].lower() == "true":
        assert got == want
    else:
        # The printed part only: the code after the unread digits, never other digits.
        assert got[:1] in "/-" and want.endswith(got), got


@pytest.mark.parametrize("key", sorted(EXPECTED["files"]))
def test_issue_date_right_or_left_out(documents: pd.DataFrame, key: str) -> None:
    # A day or month passes a looser gate than a number's digits (`DigitModel.gate`): it
    # may be left out, never read wrong.
    got = documents.loc[key]["issue_date"]
    assert pd.isna(got) or str(got) == EXPECTED["files"][key]["issue_date"]
