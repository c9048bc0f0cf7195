"""The document memory (`pipeline/restore/memory.py`): confident decisions inform uncertain
ones, and list markers `d) d)` read as `d) đ)`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipeline.restore import restore_text
from pipeline.restore.memory import (
    CACHE_BONUS,
    CACHE_MIN_CONFIDENCE,
    DocumentCache,
    reading_key,
    stroked_markers,
)
from pipeline.restore.model import RestoreModel, get_model


@dataclass
class FakeSlot:
    read: str
    out: str
    confidence: float
    fixed: bool = False


@pytest.fixture(scope="module")
def model() -> RestoreModel:
    return get_model()


def test_stripped_readings_are_keyed_by_skeleton_garble_by_the_token() -> None:
    assert reading_key("Truong", garbled=False) == reading_key("trưởng", garbled=False)
    assert reading_key("Pang", garbled=True) == "pang"
    assert reading_key("Pang", garbled=True) != reading_key("pàng", garbled=True)


def test_a_confident_bigram_gives_the_uncertain_slot_a_bonus() -> None:
    cache = DocumentCache(garbled=False)
    cache.learn([[FakeSlot("Chi", "chỉ", 1.0), FakeSlot("thi", "thị", 0.99)]])
    later = [FakeSlot("Chi", "chỉ", 0.99), FakeSlot("thi", "thì", 0.6)]
    assert cache.bonuses(later) == {1: {"thị": CACHE_BONUS}}


def test_uncertain_decisions_are_not_remembered() -> None:
    cache = DocumentCache(garbled=False)
    unsure = CACHE_MIN_CONFIDENCE - 0.1
    cache.learn([[FakeSlot("Chi", "chỉ", 1.0), FakeSlot("thi", "thi", unsure)]])
    assert cache.bonuses([FakeSlot("Chi", "chỉ", 1.0), FakeSlot("thi", "thì", 0.5)]) == {}


def test_memory_needs_the_same_neighbouring_reading() -> None:
    # `truyền thông` certain once does not pull every `thong` to `thông`.
    cache = DocumentCache(garbled=False)
    cache.learn([[FakeSlot("truyen", "truyền", 1.0), FakeSlot("thong", "thông", 1.0)]])
    assert cache.bonuses([FakeSlot("he", "hệ", 1.0), FakeSlot("thong", "thống", 0.6)]) == {}


def test_nothing_to_add_when_the_memory_agrees_with_the_pick() -> None:
    cache = DocumentCache(garbled=False)
    cache.learn([[FakeSlot("Chi", "chỉ", 1.0), FakeSlot("thi", "thị", 1.0)]])
    assert cache.bonuses([FakeSlot("Chi", "chỉ", 1.0), FakeSlot("thi", "thị", 0.6)]) == {}


def test_a_second_d_marker_is_the_stroked_letter() -> None:
    lines = ["c) mot", "d) hai", "d) ba", "e) bon", "  C) nam", "x", "D) sau", "D) bay"]
    assert stroked_markers(lines) == [(2, 0), (7, 0)]
    assert stroked_markers(["- c) mot", "- d) hai", "- d) ba", "- d) bon"]) == [(2, 2)]


def test_a_d_marker_after_a_d_alone_stays() -> None:
    assert stroked_markers(["a) mot", "d) hai", "d) ba"]) == []


def test_a_first_d_marker_stays(model: RestoreModel) -> None:
    assert stroked_markers(["c) mot", "d) hai", "a) ba", "d) bon"]) == []


def test_restored_text_writes_the_stroked_marker(model: RestoreModel) -> None:
    text = "c) to chuc hoi nghi\nd) bao cao ket qua\nd) khen thuong"
    out = restore_text(text, model=model).split("\n")
    assert [line[:2] for line in out] == ["c)", "d)", "đ)"]
