"""Normalisation: NFC, canonical tone placement, skeletons, document codes."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from pipeline.vietnamese import (
    canonical,
    canonical_tones,
    compact_number,
    is_syllable,
    is_upper_line,
    nfc,
    skeleton,
)


def test_new_style_tones_move_to_old_style() -> None:
    assert canonical_tones("hoá thuỷ Uỷ ban khoẻ Hoà") == "hóa thủy Ủy ban khỏe Hòa"


def test_tones_with_final_consonant_or_qu_stay() -> None:
    assert canonical_tones("hoàn thuyền quý Quý khuya") == "hoàn thuyền quý Quý khuya"


def test_canonical_is_nfc_and_single_spaced() -> None:
    assert canonical("Uy\u0309  ban\n nhân") == "Ủy ban nhân"


def test_skeleton_strips_marks_and_d_bar() -> None:
    assert skeleton("Đảng ủy ĐẶC KHU") == "dang uy dac khu"


def test_compact_number() -> None:
    assert compact_number(" 24 /KH-UBND") == "24/KH-UBND"
    assert compact_number("98 / 2023 / NĐ – CP") == "98/2023/NĐ-CP"


def test_nfc_drops_zero_width_and_crlf() -> None:
    assert nfc("a\u200bb\r\nc") == "ab\nc"


def test_nfc_maps_eth_to_d_bar() -> None:
    assert nfc("QĐ\u00d0 \u00f0ổi") == "QĐĐ đổi"


@given(st.text())
def test_canonical_tones_is_idempotent_and_keeps_skeleton(text: str) -> None:
    once = canonical_tones(nfc(text))
    assert canonical_tones(once) == once
    assert skeleton(once) == skeleton(nfc(text))
    assert unicodedata.is_normalized("NFC", once)


def test_a_line_in_capitals_may_hold_a_code_with_small_letters() -> None:
    assert is_upper_line("THỰC HIỆN CHỈ THỊ SỐ 27/CT-TTg NGÀY 15")
    assert not is_upper_line("Thực hiện Chỉ thị số 27/CT-TTg")
    assert not is_upper_line("27/CT-TTg")  # a code alone has no letters that count


def test_a_word_without_marks_is_a_syllable_as_written_only_when_it_needs_none() -> None:
    assert is_syllable("truyen")  # the skeleton of `truyền`
    assert not is_syllable("truyen", as_written=True)
    assert is_syllable("thi", as_written=True) and is_syllable("truyền", as_written=True)
