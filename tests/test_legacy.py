"""Pre-Unicode encodings: TCVN3 and VNI tables, detection, and conversion at ingest."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pdfbytes import positioned_pdf

from pipeline import process_file
from pipeline.config import Config
from pipeline.ingest import ingest, new_document, sniff_media_type
from pipeline.ingest.legacy import (
    TCVN3,
    UNICODE,
    VNI,
    FontEncoding,
    decode,
    decode_plain_tcvn3,
    decode_tcvn3,
    decode_vni,
    detect,
    encode,
    encode_tcvn3,
    encode_vni,
    font_encoding,
)
from pipeline.ingest.pdf import read_pdf

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
MOTTO = "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc"
PLAN = (
    "Kế hoạch triển khai một số nhiệm vụ trọng tâm công tác thi đua, khen thưởng năm 2026.\n"
    "Sở Nội vụ chủ trì, phối hợp với các cơ quan, đơn vị tổ chức thực hiện trong Quý I.\n"
)
VIETNAMESE_SMALL = "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđ"


# --- golden code points, from the published charts --------------------------------------

TCVN3_GOLDEN = [
    ("KÕ ho¹ch sè 12", "Kế hoạch số 12"),
    ("Céng hßa x· héi chñ nghÜa ViÖt Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
    ("th\xadëng, n¨m, ­¬", "thưởng, năm, ươ"),
    ("¡¢£¤¥¦§", "ĂÂÊÔƠƯĐ"),
    ("µ¶·¸¹ »¼½¾Æ ÇÈÉÊË", "àảãáạ ằẳẵắặ ầẩẫấậ"),
    ("ÌÎÏÐÑ ÒÓÔÕÖ ×ØÜÝÞ", "èẻẽéẹ ềểễếệ ìỉĩíị"),
    ("ßáâãä åæçèé êëìíî", "òỏõóọ ồổỗốộ ờởỡớợ"),
    ("ïñòóô õö÷øù úûüýþ", "ùủũúụ ừửữứự ỳỷỹýỵ"),
]
VNI_GOLDEN = [
    ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
    ("Keá hoaïch soá 12", "Kế hoạch số 12"),
    ("aù aø aû aõ aï", "á à ả ã ạ"),
    ("aâ aá aà aå aã aä", "â ấ ầ ẩ ẫ ậ"),
    ("aê aé aè aú aü aë", "ă ắ ằ ẳ ẵ ặ"),
    ("í ì æ ó ò", "í ì ỉ ĩ ị"),
    ("ô ôù ôø ôû ôõ ôï ö öù öï ñ", "ơ ớ ờ ở ỡ ợ ư ứ ự đ"),
    ("yù yø yû yõ î", "ý ỳ ỷ ỹ ỵ"),
    ("UÛY BAN NHAÂN DAÂN THAØNH PHOÁ HAÛI PHOØNG", "ỦY BAN NHÂN DÂN THÀNH PHỐ HẢI PHÒNG"),
    ("ÑOÄC LAÄP", "ĐỘC LẬP"),
]


@pytest.mark.parametrize(("codes", "text"), TCVN3_GOLDEN)
def test_tcvn3_golden(codes: str, text: str) -> None:
    assert decode_tcvn3(codes) == text


@pytest.mark.parametrize(("codes", "text"), VNI_GOLDEN)
def test_vni_golden(codes: str, text: str) -> None:
    assert decode_vni(codes) == text


def test_tcvn3_capitals_font_draws_every_letter_as_a_capital() -> None:
    assert decode_tcvn3("kÕ ho¹ch", capitals=True) == "KẾ HOẠCH"


def test_every_small_letter_round_trips() -> None:
    for letter in VIETNAMESE_SMALL:
        assert decode_tcvn3(encode_tcvn3(letter)) == letter, letter
        assert decode_vni(encode_vni(letter)) == letter, letter
        assert decode_vni(encode_vni(letter.upper())) == letter.upper(), letter


@given(st.text(alphabet=VIETNAMESE_SMALL + VIETNAMESE_SMALL.upper() + " ,.0123456789-/"))
def test_vni_round_trip(text: str) -> None:
    text = unicodedata.normalize("NFC", text)
    assert decode_vni(encode_vni(text)) == text


@given(st.text(alphabet=VIETNAMESE_SMALL + " ,.0123456789-/BCDGHKLMNPQRSTVX"))
def test_tcvn3_round_trip(text: str) -> None:
    assert decode_tcvn3(encode_tcvn3(text)) == text


# --- font names and detection -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (".VnTime", FontEncoding(TCVN3)),
        ("ABCDEF+.VnTimeH", FontEncoding(TCVN3, capitals=True)),
        (".VnTimeH,Bold", FontEncoding(TCVN3, capitals=True)),
        (".VnArial-Bold", FontEncoding(TCVN3)),
        ("VnTime", FontEncoding(TCVN3)),
        ("VNI-Times", FontEncoding(VNI)),
        ("QWERTY+VNI-Helve-Bold", FontEncoding(VNI)),
        ("TimesNewRomanPSMT", None),
        ("Vnexpress", None),
        ("", None),
        (None, None),
    ],
)
def test_font_names(name, expected) -> None:
    assert font_encoding(name) == expected


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_detect_legacy_text(encoding: str) -> None:
    assert detect(encode(PLAN, encoding)) == encoding


@pytest.mark.parametrize(
    "text",
    [
        PLAN,
        "Ké hoạch",  # too few words to judge
        "Café crème brûlée à la française, très élégant et délicieux pour déjeuner",
        "24/KH-UBND 2026 §12 ¶ 3",
        "",
    ],
)
def test_detect_leaves_unicode_and_foreign_text(text: str) -> None:
    assert detect(text) == UNICODE


def test_plain_tcvn3_restores_capital_lines_and_line_starts() -> None:
    lines = ["KẾ HOẠCH", "Ủy ban nhân dân thành phố", "Số: 24/KH-UBND", "đ) Hoàn chỉnh hồ sơ"]
    assert decode_plain_tcvn3("\n".join(encode_tcvn3(ln) for ln in lines)) == "\n".join(lines)


def test_decode_unicode_is_nfc_only() -> None:
    assert decode("Hòa", UNICODE) == unicodedata.normalize("NFC", "Hòa")


# --- ingest -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_legacy_text_file_bytes_are_read(tmp_path: Path, encoding: str) -> None:
    data = encode(PLAN, encoding).encode("cp1252")
    assert sniff_media_type(data, "plan.txt") == "text/plain"
    path = tmp_path / "plan.txt"
    path.write_bytes(data)
    doc = ingest(new_document(path), Config())
    assert doc.source.encoding == encoding
    assert doc.text.body == PLAN.strip()


def test_tcvn3_saved_as_utf8_is_converted(tmp_path: Path) -> None:
    """The mojibake of a TCVN3 file once re-saved as UTF-8 (`KÕ ho¹ch`)."""
    path = tmp_path / "plan.txt"
    path.write_text(encode(PLAN, TCVN3), encoding="utf-8")
    doc = ingest(new_document(path), Config())
    assert (doc.source.encoding, doc.text.body) == (TCVN3, PLAN.strip())


def test_unicode_text_stays_unicode(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(PLAN, encoding="utf-8")
    doc = ingest(new_document(path), Config())
    assert (doc.source.encoding, doc.text.body) == (UNICODE, PLAN.strip())


def test_binary_bytes_are_still_refused() -> None:
    assert sniff_media_type(bytes(range(256)) * 20, "x.txt") == "application/octet-stream"


@pytest.mark.parametrize(
    ("font", "encoding"), [(b"ABCDEF+.VnTime", TCVN3), (b"GHIJKL+VNI-Times", VNI)]
)
def test_pdf_text_layer_in_a_legacy_font(tmp_path: Path, font: bytes, encoding: str) -> None:
    lines = [(60, 100 + 16 * k, line) for k, line in enumerate(PLAN.strip().split("\n"))]
    legacy_lines = [(x, top, encode(text, encoding)) for x, top, text in lines]
    marks = bytes(range(0xC0, 0x100)) if encoding == VNI else b""
    pdf = positioned_pdf(legacy_lines, size=10, font=font, zero_width=marks)
    pages = read_pdf(pdf, tmp_path / "x.pdf", Config())
    assert pages[0].encoding == encoding
    assert pages[0].text == PLAN.strip()


def test_pdf_mixed_fonts_convert_only_the_legacy_runs(tmp_path: Path) -> None:
    """A Unicode font for one line and a TCVN3 capitals font for another: `ò à á` of the
    Unicode line are TCVN3 codes too, and must stay as they are."""
    lines = [(60, 100, "Tòa án nhân dân"), (60, 120, encode_tcvn3("KẾ HOẠCH"), True)]
    pdf = positioned_pdf(lines, font=b"TimesNewRomanPSMT", capitals_font=b".VnTimeH")
    pages = read_pdf(pdf, tmp_path / "x.pdf", Config())
    assert pages[0].text.split("\n") == ["Tòa án nhân dân", "KẾ HOẠCH"]
    assert pages[0].encoding == TCVN3


# --- the samples ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unicode_plan():
    return process_file(SAMPLES / "haiphong-24-KH-UBND-2026.md")


@pytest.mark.parametrize("name", ["haiphong-tcvn3.txt", "haiphong-vni.txt"])
def test_legacy_samples_give_what_the_unicode_text_gives(unicode_plan, name: str) -> None:
    doc = process_file(SAMPLES / "formats" / name)
    assert doc.status == "ok", doc.errors
    assert doc.metadata == unicode_plan.metadata
    assert doc.legal_refs == unicode_plan.legal_refs
    assert doc.dates == unicode_plan.dates

    def tasks(d):  # plain TCVN3 cannot tell a capital with a tone inside a sentence
        return [(t.ref, t.text.casefold(), t.lead, t.period) for t in d.tasks]

    assert tasks(doc) == tasks(unicode_plan)
    if name == "haiphong-vni.txt":
        assert doc.text.body == unicode_plan.text.body


@pytest.mark.parametrize(
    ("name", "encoding"), [("haiphong-tcvn3.pdf", TCVN3), ("haiphong-vni.pdf", VNI)]
)
def test_legacy_pdf_samples_read_as_their_unicode_page(tmp_path: Path, name, encoding) -> None:
    import sys

    sys.path.insert(0, str(SAMPLES))
    from make_formats import pdf_lines

    reference = tmp_path / "unicode.pdf"
    reference.write_bytes(positioned_pdf(pdf_lines(), size=11))
    doc, expected = process_file(SAMPLES / "formats" / name), process_file(reference)
    assert doc.source.encoding == encoding
    assert doc.text.body == expected.text.body
    assert doc.metadata == expected.metadata
    assert doc.metadata.number == "24/KH-UBND"
