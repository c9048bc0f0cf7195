"""Fusion of Tesseract-vie words with a garbled English-model text layer (`pipeline.ocr.fusion`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfbytes import text_pdf
from PIL import Image, ImageDraw

from pipeline.config import Config
from pipeline.ingest.pdf import read_pdf
from pipeline.ocr import fusion, recognise_page, tesseract
from pipeline.ocr.tesseract import Word


def _words(text: str) -> list[Word]:
    return [Word(word, 90.0, 60 * k, 0, 50, 20, 1, 1, 1) for k, word in enumerate(text.split())]


def _fused(vie: str, layer: str) -> tuple[str, int]:
    words, changed = fusion.fuse(_words(vie), layer.split())
    return " ".join(w.text for w in words), changed


@pytest.mark.parametrize(
    ("read", "layer", "expected"),
    [
        ("nhiệrn", "nhiem", "nhiệm"),  # rn read for m: the layer's letters, vie's marks
        ("rnột", "mot", "một"),
        ("cáe", "cac", "các"),  # e read for c
        ("rnỗi", "moi", "mỗi"),  # tone on the hatted vowel
        ("NHIỆRN", "NHIEM", "NHIỆM"),  # vie's case kept
        ("“nhiệrn,", "nhiem", "“nhiệm,"),  # vie's punctuation kept
    ],
)
def test_invalid_vie_word_takes_the_layer_letters(read: str, layer: str, expected: str) -> None:
    assert fusion.fused_word(read, layer) == expected


@pytest.mark.parametrize(
    ("read", "layer"),
    [
        ("Lâm", "Lim"),  # a valid vie word stays, whatever the layer says
        ("nhiệrn", "nhiern"),  # the layer's letters with vie's marks are no syllable
        ("nhiệrn", "thuong"),  # too far apart: not the same word
        ("nhiệrn", "nh1em"),  # the layer word is not plain letters
        ("24", "25"),  # numbers are never taken from the layer
        ("IoT", "lot"),  # a capital inside: a name or code, not a misread
        ("II.", "I."),  # Roman numerals are numbers: never taken from the layer
        ("H.", "I."),
        ("'r", "'di"),  # a lone letter: a speck as often as a word
    ],
)
def test_fusion_declines(read: str, layer: str) -> None:
    assert fusion.fused_word(read, layer) is None


def test_marks_are_vies_exactly() -> None:
    # The layer never adds a mark vie did not read, nor drops one: đ only where vie had it.
    assert fusion.fused_word("đạrn", "dam") == "đạm"
    assert fusion.fused_word("dạrn", "dam") == "dạm"
    assert fusion.fused_word("ngưòi", "nguoi") is None  # one horn: no syllable `ngưòi`/`nguời`


def test_symbols_come_from_the_layer_but_digits_never() -> None:
    assert fusion.fused_symbols("€)", "c)") == "c)"
    assert fusion.fused_symbols("~", "-") == "-"
    assert fusion.fused_symbols("€5", "55") is None  # the layer's digit is not taken
    assert fusion.fused_symbols("a)", "e)") is None  # letters of a valid reading stay
    assert fusion.fused_symbols("€)", "c))") is None  # not the same shape
    assert fusion.fused_symbols("`", ">") is None  # a speck read otherwise is no better
    assert fusion.fused_symbols("„", "t") is None  # nor is a speck read as a letter


def test_alignment_pairs_words_between_anchors() -> None:
    text, changed = _fused("Kế hoạch thực hiệrn nhiệrn vụ năm", "Ke hoach thuc hien nhiem vu nam")
    assert text == "Kế hoạch thực hiện nhiệm vụ năm"
    assert changed == 2


def test_alignment_skips_uneven_runs() -> None:
    # vie dropped a word: the run between anchors has 1 vie word for 2 layer words, and
    # pairing them would be a guess.
    text, changed = _fused("Kế hoạch nhiệrn năm", "Ke hoach thuc nhiem nam")
    assert (text, changed) == ("Kế hoạch nhiệrn năm", 0)


def test_dashes_are_not_aligned_with_other_symbols() -> None:
    text, changed = _fused("Mục đích ~ Chủ động", "Muc dich - Chu dong")
    assert (text, changed) == ("Mục đích - Chủ động", 1)


def test_a_word_is_cut_where_the_layer_has_a_space_after_punctuation() -> None:
    words, changed = fusion.fuse(
        _words("như sau: I.MỤC ĐÍCH"), ["nhu", "sau:", "I.", "MUC", "DICH"]
    )
    assert [w.text for w in words] == ["như", "sau:", "I.", "MỤC", "ĐÍCH"]
    assert changed == 1
    first, second = words[2], words[3]
    assert first.left == 120 and first.right == second.left and second.right == 170
    # Not inside a word: the English model splits words too (`t hao`).
    assert _fused("Thể thao tỉnh", "The t hao tinh") == ("Thể thao tỉnh", 0)


def test_no_layer_changes_nothing() -> None:
    words = _words("nhiệrn vụ")
    assert fusion.fuse(words, []) == (words, 0)


def test_fusion_is_on_by_default_and_switchable() -> None:
    assert Config().ocr_fusion is True
    assert Config(ocr_fusion=False).ocr_fusion is False


GARBLED = (
    b"r.rBND TiNH r-Av ooNc cqNG noA rA ngt cnt xcui,l IET NAM DQc lfl p-Tgdo-H4 nh phtc "
    b"TO TRiNH ve vlec cho ph6p a5i tan Ciu l4c bO M6 t6 Th6 thao tinh Binh Thuin thirnh"
)


def test_ingest_keeps_a_garbled_layers_words() -> None:
    pages = read_pdf(text_pdf(GARBLED), Path("scan.pdf"), Config())
    assert pages[0].needs_ocr
    assert pages[0].layer_words[:3] == ["r.rBND", "TiNH", "r-Av"]
    clean = read_pdf(text_pdf(b"Ke hoach so 24/KH-UBND"), Path("plain.pdf"), Config())
    assert clean[0].layer_words == []


@pytest.mark.parametrize(("switch", "expected"), [(True, 1), (False, 0)])
def test_the_ocr_step_fuses_when_switched_on(monkeypatch, switch: bool, expected: int) -> None:
    read = [
        Word(w, 90.0, 300 + 200 * k, 400, 180, 40, 1, 1, 1)
        for k, w in enumerate(["Kế", "hoạch", "nhiệrn", "vụ"])
    ]
    monkeypatch.setattr(tesseract, "recognise", lambda image, **kwargs: read)
    image = Image.new("L", (2000, 1000), 255)
    ImageDraw.Draw(image).rectangle((300, 400, 1100, 440), fill=0)  # ink: not a blank page
    config = Config(workers=1, preprocess=("grayscale",), ocr_fusion=switch)
    result = recognise_page(1, image, 300, config, ["Ke", "hoach", "nhiem", "vu"])
    assert result.fused_words == expected
    assert ("nhiệm" in result.text) is switch
