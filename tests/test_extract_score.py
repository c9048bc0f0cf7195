"""The extraction scorer (benchmarks/extract_score.py): normalisation, matching, counting."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from benchmarks import extract_score as es

GENRE = Path(__file__).parent / "data" / "genre"


@pytest.mark.parametrize(
    ("old", "canonical"),
    [
        ("hoá", "hóa"),
        ("Uỷ ban", "Ủy ban"),
        ("thuỷ lợi", "thủy lợi"),
        ("khoẻ", "khỏe"),
        ("Hoà Bình", "Hòa Bình"),
        ("hoạ", "họa"),
    ],
)
def test_canonical_tones_moves_old_style_marks(old: str, canonical: str) -> None:
    assert es.canonical_tones(old) == canonical


@pytest.mark.parametrize("word", ["quý", "Quỳnh", "hoàn", "toán", "hóa", "Nguyễn", "ngoài"])
def test_canonical_tones_leaves_other_words(word: str) -> None:
    assert es.canonical_tones(word) == word


def test_normalise_folds_case_space_tones_and_composition() -> None:
    nfd = unicodedata.normalize("NFD", "ỦY BAN  nhân\tdân xã Hoà")
    assert es.normalise(nfd) == "ủy ban nhân dân xã hòa"
    assert es.normalise(None) == ""


def test_task_text_loses_marker_and_trailing_punctuation() -> None:
    assert es.normalise_task_text("- Rà soát hồ sơ;") == "rà soát hồ sơ"
    assert es.normalise_task_text("1.2. Biên soạn tài liệu.") == "biên soạn tài liệu"
    assert es.normalise_task_text("Điều 3. Giao Sở Nội vụ") == "giao sở nội vụ"


def test_lead_of_prefers_list_and_accepts_a_string() -> None:
    assert es.lead_of({"leads": ["Sở Y tế", "Công an tỉnh"], "lead": "x"}) == (
        "Sở Y tế; Công an tỉnh"
    )
    assert es.lead_of({"lead": "Sở Y tế"}) == "Sở Y tế"
    assert es.lead_of({"lead": None}) == ""
    assert es.lead_of({"text": "no lead keys"}) is es.MISSING


def test_folded_leads_ignore_how_the_list_was_split() -> None:
    a = es.fold_lead_separators("Phòng Văn hóa - Xã hội xã; Trạm Y tế xã")
    b = es.fold_lead_separators("Phòng Văn hoá - Xã hội xã, Trạm Y tế xã")
    assert a == b
    assert a != es.fold_lead_separators("Phòng Văn hóa - Xã hội xã")


def test_missing_metadata_field_is_wrong_even_against_a_gold_null() -> None:
    gold = {"issuer_parent": None, "number": "24/KH-UBND", "signer_authority": "TM. BAN CHẤP HÀNH"}
    pred = {"number": "24 /KH-UBND", "signer_authority": "T/M BAN CHẤP HÀNH"}
    result = es.score_metadata(gold, pred)
    assert result["issuer_parent"] is False
    assert result["number"] is True
    assert result["signer_authority"] is True


def test_letter_title_compares_without_vv() -> None:
    gold = {"title": "V/v triển khai Tháng hành động"}
    assert es.score_metadata(gold, {"title": "triển khai tháng hành động"})["title"]


def test_dates_are_a_multiset() -> None:
    gold = ["2026-01-05", "2026-01-05", "2026-03-01"]
    pred = [{"date": "2026-01-05"}, {"date": "2026-03-01"}, {"date": "2026-12-31"}]
    counts = es.score_dates(gold, pred)
    assert (counts.tp, counts.pred, counts.gold) == (2, 3, 3)
    assert counts.f1 == pytest.approx(2 / 3)


def test_refs_compare_distinct_numbers() -> None:
    gold = [{"number": "41-CT/TW"}, {"number": "98/2023/NĐ-CP"}]
    pred = [{"number": "41-CT/TW"}, {"number": "41-CT/TW"}, {"number": None}]
    counts = es.score_refs(gold, pred)
    assert (counts.tp, counts.pred, counts.gold) == (1, 1, 2)


def test_matching_is_one_to_one_best_first() -> None:
    gold = [
        "tổ chức hội nghị tập huấn cho cán bộ xã",
        "tổ chức hội nghị tập huấn cho cán bộ phường",
    ]
    pred = [
        "tổ chức hội nghị tập huấn cho cán bộ phường",
        "tổ chức hội nghị tập huấn cho cán bộ xã",
    ]
    assert sorted(es.match_tasks(gold, pred).pairs) == [(0, 1), (1, 0)]
    # Two predictions of the same gold row: only one matches.
    one = es.match_tasks(gold[:1], [gold[0], gold[0] + " ngay"])
    assert one.pairs == [(0, 0)]


def test_split_bullets_are_neutral_and_short_fragments_never_match() -> None:
    gold = [
        "biên soạn tài liệu, đăng tải thông tin về luật biên soạn tài liệu hỏi đáp về chính sách "
        "ưu đãi mở chuyên mục giới thiệu luật trên cổng thông tin điện tử tỉnh"
    ]
    pred = [
        "biên soạn tài liệu, đăng tải thông tin về luật",
        "biên soạn tài liệu hỏi đáp về chính sách ưu đãi",
        "mở chuyên mục giới thiệu luật trên cổng thông tin điện tử tỉnh",
    ]
    matching = es.match_tasks(gold, pred)
    assert len(matching.pairs) == 1
    assert matching.neutral == {0, 1, 2} - {matching.pairs[0][1]}
    assert es.match_tasks(["sở y tế chủ trì kiểm tra"], ["sở y tế"]).pairs == []


def test_score_tasks_counts_kind_period_and_lead() -> None:
    gold = [
        {
            "text": "Rà soát danh mục thủ tục hành chính",
            "kind": "assignment",
            "period": {"label": "Quý I năm 2026", "start": "2026-01-01", "end": "2026-03-31"},
            "leads": ["Văn phòng HĐND và UBND xã"],
        },
        {
            "text": "Đa dạng hóa hình thức tuyên truyền",
            "kind": "activity",
            "period": None,
            "leads": [],
        },
    ]
    pred = [
        {
            "text": "- Rà soát danh mục thủ tục hành chính.",
            "period": {"label": "năm 2026", "start": "2026-01-01", "end": "2026-12-31"},
            "lead": "Văn phòng HĐND và UBND xã",
        },
        {"text": "Đa dạng hoá hình thức tuyên truyền", "period": None, "lead": None},
        {"text": "Một dòng không có trong gold, đủ dài để đếm"},
    ]
    score = es.score_tasks(gold, pred)
    assert (score.rows.tp, score.rows.pred, score.rows.gold) == (2, 3, 2)
    # No predicted kind: no predicted assignment.
    assert (score.assignments.tp, score.assignments.pred, score.assignments.gold) == (0, 0, 1)
    assert (score.start_ok, score.end_ok, score.lead_ok, score.kind_ok) == (2, 1, 2, 0)


def test_gold_perfect_prediction_scores_full_marks() -> None:
    """Every gold file, fed back as the prediction, scores 100 % everywhere."""
    golds = sorted(GENRE.glob("*/*.gold.json"))
    assert len(golds) >= 15
    scores = []
    for path in golds:
        gold = json.loads(path.read_text(encoding="utf-8"))
        scores.append(es.score_document(path.stem, gold, gold))
    summary = es.summarise(scores)
    assert all(value == 1.0 for value in summary.values() if value is not None), summary
