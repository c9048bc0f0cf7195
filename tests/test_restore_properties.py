"""Properties of restoration that must hold for any input (Hypothesis)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.restore import restore_result
from pipeline.restore.model import RestoreModel, get_model
from pipeline.vietnamese import garble_score

SYLLABLES = [
    "tang",
    "cuong",
    "cong",
    "tac",
    "thi",
    "dua",
    "khen",
    "thuong",
    "nam",
    "quy",
    "ke",
    "hoach",
    "uy",
    "ban",
    "nhan",
    "dan",
    "trien",
    "khai",
    "nhiem",
    "vu",
    "trong",
    "tam",
    "thuc",
    "hien",
    "dang",
    "bo",
    "chinh",
    "tri",
    "t6",
    "ctia",
    "1ap",
    "S6",
    "Pang",
    "chire",
    "UBND",
    "HDND",
    "TDKT",
    "Tw",
    "Djc",
    "KE",
    "HOACH",
    "Số",
    "Đảng",
    "Ủy",
    "hóa",
    "thuỷ",
]
CODES = ["41-CT/TW", "/KH-UBND", "26/12/2024", "2026", "II.", "a)", "74/NQ-HĐND", "Q1", "3.5"]

words = st.sampled_from(SYLLABLES + CODES)
punct = st.sampled_from(["", "", "", ",", ";", ".", ":", "“", "”", "(", ")"])
tokens = st.builds(lambda p, w, q: p + w + q, punct, words, punct)
lines = st.lists(tokens, max_size=12).map(" ".join)
texts = st.lists(lines, max_size=6).map("\n".join)

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def model() -> RestoreModel:
    """The shipped model, loaded once (also cached process-wide by `get_model`)."""
    return get_model()


def _digits(text: str) -> list[str]:
    # Digits inside a word (`t6`, `1ap`) are OCR garble and may be restored; numbers not.
    return re.findall(r"(?<![^\W\d_])\d+(?![^\W\d_])", text)


def _codes(text: str) -> list[str]:
    return [t for t in text.split() if "/" in t and not re.search(r"HDND|TDKT", t)]


@FAST
@given(text=texts)
def test_lines_and_tokens_are_kept(model: RestoreModel, text: str) -> None:
    out = restore_result(text, model).text
    assert out.count("\n") == text.count("\n")
    for before, after in zip(text.split("\n"), out.split("\n"), strict=True):
        assert len(before.split()) == len(after.split())
        # Whitespace is copied exactly.
        assert re.findall(r"\s+", before) == re.findall(r"\s+", after)


@FAST
@given(text=texts)
def test_digits_and_codes_are_never_touched(model: RestoreModel, text: str) -> None:
    out = restore_result(text, model).text
    assert _digits(out) == _digits(text)
    assert _codes(out) == _codes(text)


@FAST
@given(text=st.text(max_size=200))
def test_never_raises_on_arbitrary_text(model: RestoreModel, text: str) -> None:
    out = restore_result(text, model).text
    assert out.count("\n") == text.count("\n")
    assert [len(line.split()) for line in out.split("\n")] == [
        len(line.split()) for line in text.split("\n")
    ]
    assert 0.0 <= garble_score(text) <= 1.0


@FAST
@given(text=st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxy àáảãạ\n-.,0123456789", max_size=120))
def test_vietnamese_letters_keep_token_counts(model: RestoreModel, text: str) -> None:
    out = restore_result(text, model).text
    assert [len(line.split()) for line in out.split("\n")] == [
        len(line.split()) for line in text.split("\n")
    ]
