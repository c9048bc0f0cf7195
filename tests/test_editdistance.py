"""`pipeline.editdistance.levenshtein` against the textbook dynamic programme."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.editdistance import levenshtein


def _table(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[-1]


_TEXT = st.text(alphabet="aăâbcdđeêhimnoôơuư ", max_size=40)


@given(_TEXT, _TEXT)
def test_bit_parallel_distance_is_the_edit_distance(a: str, b: str) -> None:
    assert levenshtein(a, b) == _table(a, b)


def test_known_distances() -> None:
    assert levenshtein("", "abc") == 3
    assert levenshtein("nhiệrn", "nhiệm") == 2  # `rn` read for `m`
    assert levenshtein("kitten", "sitting") == 3
