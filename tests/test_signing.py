"""The digital-signature stamp: `Ký bởi`, `Thời gian ký` / `Ngày ký` and their times."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.signing import find_signature_stamp, parse_stamp_time

STAMP = "Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi\nCơ quan: Tỉnh Quảng Ngãi\nThời gian ký: 26/11/2024 10:40:48"


def test_a_full_stamp_gives_signer_and_time() -> None:
    stamp = find_signature_stamp("… Nguyễn Văn A\n\n" + STAMP + "\n")
    assert stamp.signed_by == "Ủy ban nhân dân tỉnh Quảng Ngãi"
    assert stamp.signed_at == dt.datetime(2024, 11, 26, 10, 40, 48)


def test_iso_time_keeps_its_offset() -> None:
    stamp = find_signature_stamp("Bộ Công an\nThời gian ký: 2025-10-02T16:24:01+07:00")
    assert stamp.signed_at == dt.datetime(
        2025, 10, 2, 16, 24, 1, tzinfo=dt.timezone(dt.timedelta(hours=7))
    )
    assert stamp.signed_by is None


def test_dotted_date_and_a_stripped_label() -> None:
    assert find_signature_stamp("Ngay ky: 22.11.2024 15:45:56").signed_at == dt.datetime(
        2024, 11, 22, 15, 45, 56
    )


def test_body_phrases_about_the_signing_day_are_no_stamp() -> None:
    assert find_signature_stamp("Quyết định này có hiệu lực kể từ ngày ký.") is None
    assert find_signature_stamp("có hiệu lực kể từ ngày ký 01/01/2025") is None
    assert find_signature_stamp("Thời gian ký: 31/02/2024 10:00") is None  # no such day


@given(
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 12, 31)),
    st.sampled_from(
        [
            "{d:02d}/{m:02d}/{y} {H:02d}:{M:02d}:{S:02d}",
            "{d}.{m}.{y} {H}:{M:02d}:{S:02d}",
            "{y}-{m:02d}-{d:02d}T{H:02d}:{M:02d}:{S:02d}",
        ]
    ),
)
def test_stamp_times_round_trip(value: dt.datetime, shape: str) -> None:
    value = value.replace(microsecond=0)
    text = shape.format(
        d=value.day, m=value.month, y=value.year, H=value.hour, M=value.minute, S=value.second
    )
    assert parse_stamp_time(text) == value


SCAN_TEXT = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NGÃI
Số: /BC-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Quảng Ngãi, ngày tháng 11 năm 2024
BÁO CÁO
Về việc điều chỉnh dự toán ngân sách năm 2024
Thực hiện quy định của Luật Ngân sách nhà nước, Ủy ban nhân dân tỉnh báo cáo như sau.
"""


def _scan_with_stamp(tmp_path, furniture: list[str]):
    from pipeline.chain import STAGES, run_stages
    from pipeline.config import Config
    from pipeline.ingest import ingest, new_document

    path = tmp_path / "scan.txt"
    path.write_text(SCAN_TEXT, encoding="utf-8")
    doc = ingest(new_document(path), Config())
    doc.pages[0].furniture = furniture  # as `ingest.pdf` keeps a scan's stamp-only layer
    return run_stages(doc, Config(), STAGES[1:])


def test_a_scans_stamp_layer_gives_signed_at_and_the_fallback_date(tmp_path) -> None:
    stamp = ["Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi", "Thời gian ký: 26/11/2024 10:40:48"]
    meta = _scan_with_stamp(tmp_path, stamp).metadata
    assert meta.signed_at == dt.datetime(2024, 11, 26, 10, 40, 48)
    assert meta.issue_date == dt.date(2024, 11, 26)
    assert meta.signed_by == "Ủy ban nhân dân tỉnh Quảng Ngãi"


def test_without_a_stamp_the_unreadable_date_stays_empty(tmp_path) -> None:
    meta = _scan_with_stamp(tmp_path, []).metadata
    assert meta.signed_at is None and meta.issue_date is None


def test_a_stamp_that_disagrees_with_the_printed_month_is_no_fallback(tmp_path) -> None:
    # `ngày … tháng 11 năm 2024` printed; a stamp of December signed a later copy.
    stamp = ["Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi", "Thời gian ký: 02/12/2024 09:00:00"]
    doc = _scan_with_stamp(tmp_path, stamp)
    assert doc.metadata.signed_at == dt.datetime(2024, 12, 2, 9, 0, 0)
    assert doc.metadata.issue_date is None
    assert any("disagrees with the printed date" in w for w in doc.warnings)


def test_the_stamp_agrees_with_the_readable_parts_of_the_printed_date() -> None:
    from pipeline.extract.metadata import stamp_agrees

    assert stamp_agrees("Quảng Ngãi, ngày tháng 11 năm 2024", dt.date(2024, 11, 26))
    assert stamp_agrees("Hà Nội, ngày tháng năm 2026", dt.date(2026, 3, 2))  # month blank
    assert stamp_agrees(None, dt.date(2026, 3, 2))  # no date line at all
    assert not stamp_agrees("Hà Nội, ngày tháng năm 2026", dt.date(2025, 12, 30))
