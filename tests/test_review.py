"""`vnplan review`: self-contained HTML per document, fields highlighted where they were read."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image, ImageDraw

from pipeline.cli import cli
from pipeline.document import (
    Document,
    LegalRef,
    Metadata,
    Page,
    Period,
    RestoredToken,
    Signature,
    Source,
    StageError,
    Status,
    Task,
    TextInfo,
)
from pipeline.document import Layout as DocLayout
from pipeline.output import review
from pipeline.output.catalog import Catalog
from pipeline.output.review import FoldedText, Mark, pieces

BODY = "\n".join(
    [
        "ỦY BAN NHÂN DÂN TỈNH LAI CHÂU",
        "Số: 12 /KH-UBND",
        "Lai Châu, ngày 2 tháng 3 năm 2026",
        "KẾ HOẠCH",
        "Tăng cường công tác phòng cháy",
        "Căn cứ Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị;",
        "1. Giao Sở Nội vụ chủ trì kiểm tra <script>alert(1)</script>, hoàn thành",
        "trong Quý I năm 2026.",
        "KT. CHỦ TỊCH",
        "Nguyễn Văn Định",
    ]
)


def scan_png(path: Path) -> Path:
    """A small page image with a few dark lines on it."""
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    for y in range(60, 700, 40):
        draw.rectangle((60, y, 540, y + 12), fill="black")
    image.save(path)
    return path


def make_doc(path: Path) -> Document:
    sha = hashlib.sha256(b"review plan").hexdigest()
    return Document(
        doc_id=sha[:16],
        status=Status.ok,
        source=Source(path=str(path), sha256=sha, media_type="image/png", pages=1),
        pages=[
            Page(
                number=1,
                method="ocr",
                confidence=62.0,
                low_confidence_words=["phòng"],
                low_confidence_tokens=[
                    RestoredToken(line=9, column=10, read="Dinh", text="Định", confidence=0.55)
                ],
            )
        ],
        text=TextInfo(method="ocr", restored=True, restore_confidence=0.95, body=BODY),
        layout=DocLayout(
            number_line="Số: 12 /KH-UBND",
            place_date_line="Lai Châu, ngày 2 tháng 3 năm 2026",
            issuing_body="ỦY BAN NHÂN DÂN TỈNH LAI CHÂU",
            doc_type="KẾ HOẠCH",
            title="Tăng cường công tác phòng cháy",
            signature=Signature(name="Nguyễn Văn Định"),
        ),
        metadata=Metadata(
            doc_type="Kế hoạch",
            number="12/KH-UBND",
            issuer="Ủy ban nhân dân tỉnh Lai Châu",
            issue_date=dt.date(2026, 3, 2),
            title="Tăng cường công tác phòng cháy",
            signer="Nguyễn Văn Định",
        ),
        tasks=[
            Task(
                ref="1",
                text="Giao Sở Nội vụ chủ trì kiểm tra <script>alert(1)</script>, hoàn thành"
                " trong Quý I năm 2026.",
                lead="Sở Nội vụ",
                leads=["Sở Nội vụ"],
                period=Period(
                    label="Quý I năm 2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
                ),
            )
        ],
        legal_refs=[
            LegalRef(
                kind="Chỉ thị",
                number="41-CT/TW",
                date=dt.date(2024, 12, 26),
                issuer="Bộ Chính trị",
                text="Chỉ thị số 41-CT/TW ngày 26/12/2024 của Bộ Chính trị",
            )
        ],
        warnings=["signer read from a stamp: check it"],
    )


CLEAN = Document(
    doc_id="c" * 16,
    status=Status.ok,
    source=Source(path="/in/clean.md", sha256="c" * 64, media_type="text/markdown"),
    text=TextInfo(body="Số: 3/KH-UBND\nKẾ HOẠCH\nVề thi đua"),
    metadata=Metadata(number="3/KH-UBND", title="Về thi đua"),
)
BROKEN = Document(
    doc_id="b" * 16,
    status=Status.failed,
    source=Source(path="/in/broken.pdf", sha256="b" * 64),
    errors=[StageError(stage="ingest", kind="CorruptPdfError", message="no xref table")],
)


@pytest.fixture
def out(tmp_path):
    doc = make_doc(scan_png(tmp_path / "scan.png"))
    with Catalog.in_dir(tmp_path) as catalog:
        for item in (CLEAN, doc, BROKEN):
            catalog.record(item)
    return tmp_path


def test_folded_find_maps_back_to_the_printed_spelling():
    text = FoldedText("Số:  12 /KH-UBND\nNguyễn Văn   Định ký")
    at = text.find("nguyen van dinh")
    assert at and "Số:  12 /KH-UBND\nNguyễn Văn   Định ký"[slice(*at)] == "Nguyễn Văn   Định"
    assert text.find("12 /KH-UBND") == (5, 16)
    assert text.find("Văn Định", start=30) is None and text.find("") is None


def test_overlapping_marks_cut_into_pieces():
    marks = [Mark("field", "title", 0, 9, ident="f1"), Mark("low", "low", 4, 9, note="page 1")]
    cut = pieces("Tăng cường x", marks)
    assert [(p.text, p.kinds) for p in cut] == [
        ("Tăng", "field"),
        (" cườn", "field low"),
        ("g x", ""),
    ]
    assert cut[0].ident == "f1" and cut[1].labels == "title; low: page 1"


def test_pages_and_index_are_written_sorted_and_escaped(out):
    written = review.write_review(out)
    assert written[0] == out / "review" / "index.html"
    index = written[0].read_text(encoding="utf-8")
    order = [index.find(f'href="{d}.html"') for d in ("b" * 16, make_doc(out).doc_id, "c" * 16)]
    assert -1 not in order and order == sorted(order)  # failed, then warnings, then clean
    page = (out / "review" / f"{make_doc(out).doc_id}.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.index('id="warnings"') < page.index('id="body"')  # warnings on top
    assert "data:image/png;base64," in page and "http" not in page.replace("http-equiv", "")
    assert 'class="restored"' in page and "read &#39;Dinh&#39;" in page
    assert page.count('class="field') >= 8
    clean = (out / "review" / ("c" * 16 + ".html")).read_text(encoding="utf-8")
    assert "a text file: no page image" in clean
    broken = (out / "review" / ("b" * 16 + ".html")).read_text(encoding="utf-8")
    assert "CorruptPdfError: no xref table" in broken


def test_fields_point_at_their_source_lines(out):
    doc = make_doc(out / "scan.png")
    output = doc.to_output()
    fields = {f.name: f for f in review._fields(output, FoldedText(BODY))}
    assert BODY[fields["number"].mark.start : fields["number"].mark.end] == "12 /KH-UBND"
    assert BODY[fields["issuer"].mark.start : fields["issuer"].mark.end].startswith("ỦY BAN")
    assert BODY[fields["signer"].mark.start : fields["signer"].mark.end] == "Nguyễn Văn Định"
    task = fields["task 1"]
    assert BODY[task.mark.start : task.mark.end].startswith("Giao Sở Nội vụ")
    lead, period = {c.name: c for c in task.children}["lead"], task.children[0]
    assert BODY[lead.mark.start : lead.mark.end] == "Sở Nội vụ"
    assert BODY[period.mark.start : period.mark.end] == "Quý I năm 2026"
    assert fields["signer position"].mark is None  # not extracted: nothing to point at


def test_page_images_of_a_pdf_a_damaged_file_and_a_text(tmp_path):
    pdf = tmp_path / "scan.pdf"
    Image.open(scan_png(tmp_path / "page.png")).save(pdf, save_all=True)
    images, note = review.page_images(pdf)
    assert len(images) == 1 and note == ""
    shown = Image.open(io.BytesIO(base64.b64decode(images[0])))
    assert shown.width == review.IMAGE_WIDTH
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(b"%PDF-1.4 not really")
    assert review.page_images(damaged)[1].startswith("page images could not be rendered")
    assert review.page_images(tmp_path / "gone.png") == (
        [],
        f"the file is no longer at {tmp_path / 'gone.png'}",
    )
    assert review.page_images(tmp_path / "plan.md") == ([], "a text file: no page image")


def test_cli_writes_only_the_documents_asked(out):
    doc_id = "c" * 16
    result = CliRunner().invoke(cli, ["review", str(out), doc_id])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == str(out / "review" / "index.html")
    assert sorted(p.name for p in (out / "review").iterdir()) == [f"{doc_id}.html", "index.html"]
    missing = CliRunner().invoke(cli, ["review", str(out), "0" * 16])
    assert missing.exit_code == 1 and "not in the catalog: 0000000000000000" in missing.output


CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.mark.browser
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Debian chromium-driver missing")
def test_the_page_renders_in_headless_chromium_with_highlights(out):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    review.write_review(out)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1300,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get((out / "review" / f"{make_doc(out).doc_id}.html").as_uri())
        fields = driver.find_elements(By.CSS_SELECTOR, "#body span.field")
        assert len(fields) >= 8 and all(f.is_displayed() for f in fields[:3])
        assert driver.find_elements(By.CSS_SELECTOR, "#body span.restored")
        low = driver.find_elements(By.CSS_SELECTOR, "#body span.low")
        assert low and low[0].text == "phòng"
        link = driver.find_element(By.CSS_SELECTOR, "#fields a[href='#f1']")
        assert driver.find_element(By.ID, "f1").text == "12 /KH-UBND" and link.is_displayed()
        image = driver.find_element(By.CSS_SELECTOR, ".images img")
        assert image.size["width"] > 100 and image.size["height"] > 100  # decoded and laid out
        shot = Image.open(io.BytesIO(driver.get_screenshot_as_png()))
    finally:
        driver.quit()
    assert shot.size[0] >= 1000 and len(shot.convert("L").getcolors(1 << 16)) > 10  # not blank
