"""Diacritic restoration: detector, syllables, candidates, case, the stage and the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.config import Config
from pipeline.document import Document, Page, Source
from pipeline.restore import (
    AUTO_THRESHOLD,
    correct_accents,
    restore,
    restore_result,
    restore_text,
)
from pipeline.restore.accents import AccentChannel
from pipeline.restore.channel import FAMILY_WEIGHT, Channel
from pipeline.restore.decoder import Decoder
from pipeline.restore.lexicon import abbreviation, expansion
from pipeline.restore.lm import BOS, EOS, TrigramLM, count_trigrams
from pipeline.restore.model import RestoreModel, get_model
from pipeline.restore.slots import slots_of_line
from pipeline.restore.training.train import (
    ENTRY,
    address_runs,
    citation_runs,
    name_syllables,
    with_clauses,
    word_runs,
)
from pipeline.vietnamese import (
    apply_case,
    case_pattern,
    garble_score,
    garble_stats,
    is_syllable,
    split_tone,
)
from pipeline.vocabulary import DOC_TYPES

ROOT = Path(__file__).resolve().parent.parent
CLEAN = "Triển khai một số nhiệm vụ trọng tâm công tác thi đua, khen thưởng năm 2026 của Ủy ban."
STRIPPED = "Trien khai mot so nhiem vu trong tam cong tac thi dua, khen thuong nam 2026 cua Uy ban."
GARBLED = "Trién khai mdt s6 nhiém vu trong tim cong tac thi dua, khen thuéng nam 2026 ctia Uy ban."


@pytest.fixture(scope="session")
def model() -> RestoreModel:
    """The shipped restoration model, loaded once for the whole session."""
    return get_model()


# --- detector -------------------------------------------------------------------------


def test_detector_scores_clean_text_low() -> None:
    assert garble_score(CLEAN) < 0.1


def test_detector_scores_stripped_text_high() -> None:
    assert garble_score(STRIPPED) > 0.8


def test_detector_scores_ocr_garble_high() -> None:
    assert garble_score(GARBLED) > 0.6
    assert garble_stats(GARBLED).invalid >= 4  # mdt, s6, nhiém, ctia…


def test_detector_ignores_codes_numbers_and_abbreviations() -> None:
    assert garble_score("41-CT/TW 26/12/2024 UBND HĐND TĐKT II.") == 0.0
    assert garble_score("") == 0.0


def test_detector_flags_digits_inside_words() -> None:
    assert garble_stats("t6 1ap S6:83").invalid == 3


def test_detector_separates_clean_from_garbled_at_the_auto_threshold() -> None:
    assert garble_score(CLEAN) < AUTO_THRESHOLD <= garble_score(GARBLED)


# --- syllables, case, abbreviations ----------------------------------------------------


@pytest.mark.parametrize(
    "word", ["Trường", "quý", "giữa", "Đảng", "Ủy", "hoá", "khuỷu", "tat", "Quỳnh", "quynh"]
)
def test_valid_syllables(word: str) -> None:
    assert is_syllable(word)


def test_every_document_type_is_taught_as_cited_with_its_number(model: RestoreModel) -> None:
    runs = citation_runs()
    assert ["thông", "tư", "số", "<num>"] in runs and ["công", "văn", "số", "<num>"] in runs
    assert len(runs) == len({t.lower() for t in DOC_TYPES} | {"công văn"})
    # In the word lists `tử số` (numerator) and `vận số` (fate) are words.
    stripped = "Can cu Thong tu so 02/2021/TT-BYT va Cong van so 12/UBND-NC"
    expected = "Căn cứ Thông tư số 02/2021/TT-BYT và Công văn số 12/UBND-NC"
    assert restore_text(stripped, model=model) == expected


def test_people_are_taught_as_addressed_by_title_and_family_name(model: RestoreModel) -> None:
    runs = address_runs()
    assert ["đồng", "chí", "phan"] in runs and ["bà", "trần", "thị"] in runs
    # `đồng chí Phân` was as likely as `Phan` to a model of the law codes.
    out = restore_text("giao dong chi Phan Trung Kien va ong Ho Van Nam", model=model)
    assert out == "giao đồng chí Phan Trung Kiên và ông Hồ Văn Nam"


def test_a_name_syllable_once_missing_from_the_rhymes_is_restored(model: RestoreModel) -> None:
    # `quỳnh` (`qu` + `ynh`) was no syllable, so no model could write `Quỳnh Lưu`.
    assert "quỳnh" in model.index
    assert restore_text("huyen Quynh Luu", model=model) == "huyện Quỳnh Lưu"


@pytest.mark.parametrize("word", ["thuéng", "ctia", "chire", "mdt", "nhiém", "tàt", "t6", "abc"])
def test_invalid_syllables(word: str) -> None:
    assert not is_syllable(word)


def test_split_tone() -> None:
    assert split_tone("Trường") == ("trương", "\u0300")


@pytest.mark.parametrize(
    ("read", "restored", "expected"),
    [("S6", "số", "Số"), ("PAC", "đặc", "ĐẶC"), ("ke", "kế", "kế"), ("Hai", "hải", "Hải")],
)
def test_case_is_transferred(read: str, restored: str, expected: str) -> None:
    assert apply_case(restored, case_pattern(read)) == expected


def test_abbreviations() -> None:
    assert abbreviation("HDND") == "HĐND"
    assert abbreviation("UBND") == "UBND"
    assert abbreviation("TDKT") == "TĐKT"
    assert abbreviation("tang") is None


# --- candidates -------------------------------------------------------------------------


def test_stripped_candidates_share_the_skeleton(model: RestoreModel) -> None:
    words = [w for _, w, _ in Decoder(model).stripped_candidates("tang")]
    assert {"tăng", "tầng"} <= set(words)
    assert all(w.replace("ă", "a").replace("â", "a")[:1] == "t" for w in words)


def test_a_rare_spelling_of_a_crowded_skeleton_stays_a_candidate(model: RestoreModel) -> None:
    # `nang` has more than a dozen spellings; `nẵng` is rare on its own (the place name
    # only) but certain after `Đà`, so the unigram ranking must not cut it off.
    words = [w for _, w, _ in Decoder(model).stripped_candidates("nang")]
    assert len(words) > 12 and "nẵng" in words
    assert restore_text("thanh pho Da Nang", model=model) == "thành phố Đà Nẵng"


@pytest.mark.parametrize(
    ("read", "truth"),
    [("thuéng", "thưởng"), ("ctia", "của"), ("t6", "tổ"), ("1ap", "lập"), ("nhiém", "nhiệm")],
)
def test_garbled_candidates_include_the_truth(model: RestoreModel, read: str, truth: str) -> None:
    words = [w for _, w, _ in Decoder(model).garbled_candidates(read)]
    assert truth in words


def test_an_unseen_misreading_of_a_marked_vowel_borrows_from_its_siblings() -> None:
    # `ũ` was read as `ii` in training, `ủ` never was: `ủ` → `ii` is still far likelier
    # than an arbitrary two-letter reading, and plain `u` borrows nothing.
    half = math.log(0.5)
    channel = Channel(
        {"ũ": {"ii": half, "u": half}, "ủ": {"u": math.log(0.9)}, "u": {"u": 0.0}}, {}
    )
    assert channel.logp("ii", "ủ") == pytest.approx(math.log(FAMILY_WEIGHT * 0.25), abs=1e-6)
    assert channel.logp("ii", "ủ") > channel.logp("ii", "u") + 5
    assert channel.logp("u", "ủ") == pytest.approx(math.log(0.9))


@pytest.mark.parametrize(
    ("read", "expected"),
    [
        ("2. Quy Il nim 2026", "2. Quý II năm 2026"),
        ("4. Quy I'V nam 2026", "4. Quý IV năm 2026"),
        ("trong Quý lll năm 2027", "trong Quý III năm 2027"),
    ],
)
def test_garbled_quarter_numerals_are_read_back(
    model: RestoreModel, read: str, expected: str
) -> None:
    assert Decoder(model).restore(read, garbled=True).text == expected


def test_a_quarter_in_digits_is_no_garbled_numeral(model: RestoreModel) -> None:
    assert Decoder(model).restore("Quy 1 nam 2027", garbled=True).text.split()[1] == "1"


@pytest.mark.parametrize(
    ("line", "label"),
    [("So: 12/QD-UBND", "Số"), ("SO: 7/KH", "SỐ"), ("Ma so: 0301", "số"), ("Sở: 5", "Số")],
)
def test_so_before_a_number_s_colon_is_the_label_so(line: str, label: str) -> None:
    runs, _ = slots_of_line(0, line, garbled=False, commas=True)
    word = line.split(":")[0].split()[-1]
    slot = next(slot for run in runs for slot in run if slot.read == word)
    assert slot.fixed and slot.out == label


def test_the_number_line_after_the_issuer_keeps_its_label() -> None:
    # With the issuer's line before it, the LM alone wrote `Sở:` (the colon cuts the run).
    text = "UY BAN NHAN DAN TINH BAC NINH\nSo: 8214/KH-UBND Nghe An, ngay 19 thang 10 nam 2026\n"
    assert restore_text(text).splitlines()[1].startswith("Số: 8214/KH-UBND Nghệ An, ngày 19")


def test_a_colon_before_words_leaves_so_to_the_model(model: RestoreModel) -> None:
    runs, _ = slots_of_line(0, "So: ke hoach", garbled=False, commas=True)
    assert not runs[0][0].fixed


def _cores(line: str, garbled: bool = True) -> list[str]:
    runs, _ = slots_of_line(0, line, garbled=garbled, commas=True)
    return [slot.read for run in runs for slot in run if slot.read != ","]


@pytest.mark.parametrize(
    ("line", "cores"),
    [
        # Tesseract-eng reads the hook of `ử`, `ứ` as `?` glued to the word…
        ("Luat st? dung dat", ["Luat", "st?", "dung", "dat"]),
        ("Can ct? Luat Dat dai", ["Can", "ct?", "Luat", "Dat", "dai"]),
        ("luu trt?, bao quan", ["luu", "trt?", "bao", "quan"]),
        # …and the horn of `ơ` as a closing quote no opening one went before.
        ("co’ so vat chat", ["co’", "so", "vat", "chat"]),
        # A real question ends the sentence, a real quote closes what was opened.
        ("co dung khong?", ["co", "dung", "khong"]),
        ("phong trao ‘thi dua’ nam", ["phong", "trao", "thi", "dua", "nam"]),
    ],
)
def test_a_hook_read_as_punctuation_belongs_to_the_word(line: str, cores: list[str]) -> None:
    assert _cores(line) == cores


def test_an_opening_quote_nothing_closes_is_a_mark_the_word_overwrites(
    model: RestoreModel,
) -> None:
    # `‘dén` for *đôn*: the mark above read as an opening quote that no `’` closes
    slots = [
        s for run in slots_of_line(0, "Chi dao, ‘don doc cac khoi", True, True)[0] for s in run
    ]
    quoted = next(s for s in slots if s.read == "don")
    assert quoted.start == len("Chi dao, ")
    out = Decoder(model).restore("Chi dao, ‘don doc cac khoi thi dua", garbled=True).text
    assert out == "Chỉ đạo, đôn đốc các khối thi đua"
    # a quote closed on its line is punctuation, kept
    kept = Decoder(model).restore("phong trao ‘thi dua’ nam nay", garbled=True).text
    assert kept.startswith("phong trào ‘thi đua’")


def test_a_number_with_capitals_is_a_code_in_garble_too(model: RestoreModel) -> None:
    # Read as letters, `5G` became `Số` and `1A` a word: a digit stands for a letter only
    # inside a word (`l6` for `lộ`).
    words = Decoder(model).restore("ha tang 5G va Quoc l6 1A", garbled=True).text.split()
    assert (words[2], words[5], words[6]) == ("5G", "lộ", "1A")


def test_text_without_marks_keeps_its_punctuation_apart() -> None:
    assert _cores("Luat st? dung dat", garbled=False) == ["Luat", "st", "dung", "dat"]


def test_a_garbled_hook_is_restored_with_its_word(model: RestoreModel) -> None:
    read = "can ct? Luat Dat dai va nhu cau st? dung dat cua dia phuong"
    assert Decoder(model).restore(read, garbled=True).text == (
        "căn cứ Luật Đất đai và nhu cầu sử dụng đất của địa phương"
    )


def test_garbled_candidates_keep_the_raw_token(model: RestoreModel) -> None:
    words = [w for _, w, _ in Decoder(model).garbled_candidates("xyzzy")]
    assert "xyzzy" in words


def test_a_garbled_reading_that_is_a_clean_skeleton_keeps_its_spellings(
    model: RestoreModel,
) -> None:
    # `dõi`, too rare alone to be among the channel's best for `doi`, is certain after `theo`
    decoder = Decoder(model)
    stripped = {w for _, w, _ in decoder.stripped_candidates("doi")}
    garbled = {w for _, w, _ in decoder.garbled_candidates("doi")}
    assert "dõi" in garbled and stripped <= garbled
    assert decoder.restore("theo doi, don doc cac khoi", garbled=True).text.startswith("theo dõi")


# --- restoration ------------------------------------------------------------------------


def test_restores_stripped_phrase(model: RestoreModel) -> None:
    assert restore_text("tang cuong cong tac thi dua", model=model) == "tăng cường công tác thi đua"


def test_restores_ocr_garble(model: RestoreModel) -> None:
    out = restore_text("Trién khai mdt s6 nhiém vu trong tim", model=model)
    assert out.startswith("Triển khai một số nhiệm vụ")


def test_keeps_upper_case_and_codes(model: RestoreModel) -> None:
    out = restore_text("KE HOACH so 24/KH-UBND ngay 26/01/2026", model=model)
    assert out == "KẾ HOẠCH số 24/KH-UBND ngày 26/01/2026"


def test_restores_abbreviations(model: RestoreModel) -> None:
    assert restore_text("Thuong truc HDND", model=model) == "Thường trực HĐND"
    assert restore_text("Nghi quyet 74/NQ-HDND", model=model).endswith("74/NQ-HĐND")


def test_attached_punctuation_stays(model: RestoreModel) -> None:
    assert restore_text("tinh hinh moi; to chuc", model=model) == "tình hình mới; tổ chức"


def test_roman_numerals_and_list_markers_are_kept(model: RestoreModel) -> None:
    out = restore_text("II. NHIEM VU\na) Hop Hoi dong", model=model)
    assert out.startswith("II. NHIỆM VỤ\na) ")


def test_clean_text_is_left_unchanged(model: RestoreModel) -> None:
    assert restore_text(CLEAN, model=model) == CLEAN


def test_clean_sample_is_almost_untouched(model: RestoreModel, samples: Path) -> None:
    text = (samples / "haiphong-24-KH-UBND-2026.md").read_text(encoding="utf-8")
    out = restore_result(text, model).text
    tokens = text.split()
    same = sum(a == b for a, b in zip(tokens, out.split(), strict=True))
    assert same / len(tokens) >= 0.995


def test_result_reports_changes_and_confidence(model: RestoreModel) -> None:
    result = restore_result(STRIPPED, model)
    assert result.changed_tokens >= 10
    assert result.confidence is not None and 0.5 < result.confidence <= 1.0


def test_auto_mode_leaves_clean_text(model: RestoreModel) -> None:
    assert restore_text(CLEAN, mode="auto", model=model) == CLEAN
    assert restore_text(STRIPPED, mode="auto", model=model) != STRIPPED
    assert restore_text(STRIPPED, mode="never", model=model) == STRIPPED


# --- the stage ----------------------------------------------------------------------------


def _doc(body: str) -> Document:
    doc = Document(source=Source(path="x.txt"))
    doc.text.body = body
    return doc


@pytest.mark.usefixtures("model")
def test_stage_never_leaves_the_body() -> None:
    doc = restore(_doc(STRIPPED), Config(restore="never"))
    assert doc.text.body == STRIPPED and not doc.text.restored


@pytest.mark.usefixtures("model")
def test_stage_auto_skips_clean_text() -> None:
    doc = restore(_doc(CLEAN), Config(restore="auto"))
    assert doc.text.body == CLEAN
    assert not doc.text.restored
    assert doc.text.garbled_score is not None and doc.text.garbled_score < AUTO_THRESHOLD
    assert doc.warnings == []


@pytest.mark.usefixtures("model")
def test_stage_auto_restores_garbled_text() -> None:
    doc = restore(_doc(GARBLED), Config(restore="auto"))
    assert doc.text.restored
    assert doc.text.body.startswith("Triển khai")
    assert doc.text.restore_changed_tokens > 5
    assert 0 < (doc.text.restore_confidence or 0) <= 1
    assert doc.warnings[0].startswith("text looked garbled (score ")


@pytest.mark.usefixtures("model")
def test_stage_always_runs_on_clean_text() -> None:
    doc = restore(_doc(CLEAN), Config(restore="always"))
    assert doc.text.body == CLEAN
    assert doc.warnings and "restored 0 tokens" in doc.warnings[0]


# --- command line -------------------------------------------------------------------------


@pytest.mark.usefixtures("model")
def test_cli_restore_reads_stdin() -> None:
    result = CliRunner().invoke(cli, ["restore", "-"], input="tang cuong cong tac thi dua\n")
    assert result.exit_code == 0
    assert result.output == "tăng cường công tác thi đua\n"


@pytest.mark.usefixtures("model")
def test_cli_restore_auto_keeps_clean_file(tmp_path: Path) -> None:
    path = tmp_path / "clean.txt"
    path.write_text(CLEAN + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["restore", "--mode", "auto", str(path)])
    assert result.exit_code == 0
    assert result.output == CLEAN + "\n"


def test_train_lm_add_learns_an_archive_word(
    model: RestoreModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`train-lm --add` into a fresh model directory changes a prediction."""
    model_dir = tmp_path / "models"
    archive = tmp_path / "archive"
    archive.mkdir()
    sentence = "Các mô hình nuôi lươn không bùn của hợp tác xã trong thôn được biểu dương."
    (archive / "a.md").write_text("\n".join([sentence] * 40), encoding="utf-8")
    (archive / "b.json").write_text(
        json.dumps({"text": {"body": sentence, "restored": False}}), encoding="utf-8"
    )
    (archive / "garbled.txt").write_text("Trién khai mdt s6 nhiém vu", encoding="utf-8")
    monkeypatch.setenv("VNPLAN_MODEL_DIR", str(model_dir))
    probe = "mo hinh nuoi luon khong bun cua hop tac xa"
    expected = "mô hình nuôi lươn không bùn của hợp tác xã"
    assert restore_text(probe, model=model) != expected
    result = CliRunner().invoke(cli, ["train-lm", "--add", str(archive)])
    assert result.exit_code == 0, result.output
    assert "from 2 clean documents" in result.output  # the garbled file is skipped
    assert (model_dir / "restore-lm.npz").is_file()
    assert restore_text(probe, model=RestoreModel.load(model_dir)) == expected


def test_missing_model_is_a_model_error(tmp_path: Path) -> None:
    from pipeline.errors import ModelError

    with pytest.raises(ModelError, match="make models"):
        RestoreModel.load(tmp_path)


def test_training_corpus_has_no_evaluation_text() -> None:
    """The genre sentences the model trains on must not copy the evaluation documents."""
    corpus = ROOT / "models" / "corpus"
    trained = "\n".join(p.read_text("utf-8") for p in sorted(corpus.glob("*.txt")))
    assert len(trained) > 10_000, "the genre corpus is missing"
    for sample in ("haiphong-24-KH-UBND-2026.md", "cathai-83-KH-UBND-2026.ocr.txt"):
        lines = (ROOT / "samples" / sample).read_text("utf-8").splitlines()
        long_lines = [line.strip(" *#") for line in lines if len(line.strip(" *#")) >= 60]
        assert long_lines
        assert not [line for line in long_lines if line in trained], sample


def test_stage_without_a_model_is_a_setup_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Garbled text is never passed on as if restored: no model is a setup problem."""
    from pipeline.errors import ModelError, SetupError
    from pipeline.restore import model as model_module

    monkeypatch.setattr(model_module, "PACKAGED_DIR", tmp_path / "packaged")
    monkeypatch.setattr(model_module, "REPO_DIR", tmp_path / "repo")
    monkeypatch.setenv("VNPLAN_MODEL_DIR", str(tmp_path / "none"))
    model_module.clear_cache()
    try:
        with pytest.raises(ModelError, match="reinstall vnplan") as caught:
            restore(_doc(GARBLED), Config(restore="auto"))
    finally:
        model_module.clear_cache()
    assert isinstance(caught.value, SetupError)


def test_garbled_list_markers_and_numerals(model: RestoreModel) -> None:
    out = restore_text("¢) Tham muu t6 chirc Pai héi XIV, cua Pang\nIl. MUC PiCH", model=model)
    first, second = out.split("\n")
    assert first.startswith("c) Tham mưu tổ chức")
    assert "XIV," in first.split()
    assert second.startswith("II. MỤC")


def test_unknown_capital_abbreviations_are_kept(model: RestoreModel) -> None:
    out = restore_text("Trién khai cong tac PCT va HCC ctia xa", model=model)
    assert out.split()[4:7] == ["PCT", "và", "HCC"]


# --- LM context: commas, abbreviations, codes -------------------------------------------


def test_word_runs_keep_commas_expand_abbreviations_and_number_codes() -> None:
    text = "Các sở, ban, ngành; UBND tỉnh theo Quyết định số 12/QĐ-UBND ngày 3/4/2026."
    assert list(word_runs(text)) == [
        ["các", "sở", ",", "ban", ",", "ngành"],
        ["ủy", "ban", "nhân", "dân", "tỉnh", "theo", "quyết", "định", "số", "<num>"]
        + ["ngày", "<num>"],
    ]


def test_word_runs_cut_at_other_punctuation_and_unknown_capitals() -> None:
    assert list(word_runs("(xem) Điều 5: TT báo cáo")) == [
        ["xem"],
        ["điều", "<num>"],
        ["<unk>", "báo", "cáo"],  # TT: thông tư or thị trấn, so no expansion
    ]


def test_place_name_syllables_outside_the_spelling_rules_are_learnt() -> None:
    names = name_syllables(["Đắk Lắk", "Krông Pắc", "Ea Kar", "Phường B", "Hải Phòng"])
    assert names == {"đắk", "lắk", "krông", "ea", "kar"}  # not `b`, not the valid syllables
    assert list(word_runs("tỉnh Đắk Lắk")) == [["tỉnh", "<unk>", "<unk>"]]
    assert list(word_runs("tỉnh Đắk Lắk", names)) == [["tỉnh", "đắk", "lắk"]]


def test_stripped_central_highlands_names_are_restored(model: RestoreModel) -> None:
    assert restore_text("tren dia ban tinh Dak Lak", model=model) == "trên địa bàn tỉnh Đắk Lắk"
    # In capitals `DAK` (one vowel) read as an unknown abbreviation, kept as written.
    assert restore_text("UBND TINH DAK LAK, PCT HCC", model=model) == "UBND TỈNH ĐẮK LẮK, PCT HCC"


def test_department_names_joined_by_ampersand_are_one_abbreviation() -> None:
    assert abbreviation("GD&DT") == "GD&ĐT"
    assert abbreviation("LD-TB&XH") == "LĐ-TB&XH"
    assert abbreviation("K&") is None  # a garbled letter, no department
    assert list(word_runs("Sở KH&CN tỉnh")) == [["sở", "khoa", "học", "và", "công", "nghệ", "tỉnh"]]
    runs, _ = slots_of_line(0, "So GD&DT, So Y te", garbled=False, commas=True)
    (run,) = runs
    assert [(s.read, s.fixed) for s in run[:3]] == [("So", False), ("GD&DT", True), (",", True)]
    assert run[1].out == "GD&ĐT"


def test_a_department_abbreviation_is_context_and_restored(model: RestoreModel) -> None:
    assert restore_text("Giam doc so GD&DT", model=model) == "Giám đốc sở GD&ĐT"


def test_a_capital_letter_that_is_a_syllable_is_context(model: RestoreModel) -> None:
    # `Y` is kept as written, but the LM reads it as the syllable `y`; initials stay unknown.
    assert restore_text("Giam doc So Y te", model=model) == "Giám đốc Sở Y tế"
    out = restore_text("ong Nguyen Van A va ba Tran Thi B", model=model)
    assert out == "ông Nguyễn Văn A và bà Trần Thị B"


def test_with_clauses_adds_each_run_cut_at_its_commas() -> None:
    runs = [["a", ",", "b", "c"], ["d"]]
    assert with_clauses(runs) == [["a", ",", "b", "c"], ["d"], ["a"], ["b", "c"]]


def test_expansion_is_canonical_and_empty_when_unknown() -> None:
    assert expansion("UBND") == ("ủy", "ban", "nhân", "dân")
    assert expansion("HĐND") == ("hội", "đồng", "nhân", "dân")
    assert expansion("XYZ") == ()


def test_comma_is_in_the_model_but_never_a_candidate(model: RestoreModel) -> None:
    assert "," in model.index
    assert all(model.vocab[i] != "," for i in model.lexicon.same_skeleton(","))
    assert "," not in model.lexicon.by_skeleton


def test_unseen_contexts_back_off_with_a_discount(model: RestoreModel) -> None:
    # A context never seen passes D(1) < 1 of its mass on, like one seen once.
    assert -2.5 < model.lm.unseen_bow < 0
    arrays = model.lm.to_arrays()
    assert TrigramLM.from_arrays(arrays).unseen_bow == pytest.approx(model.lm.unseen_bow)
    del arrays["unseen_bow"]  # a model from before the field: plain back-off
    assert TrigramLM.from_arrays(arrays).unseen_bow == 0.0


def test_word_list_entries_teach_no_sentence_boundaries(model: RestoreModel) -> None:
    # `đinh hương` in a word list is no sentence: it must not say how sentences begin.
    w = 7
    sentence = count_trigrams([[10, 11]])
    entry = count_trigrams([[10, 11]], boundary=w)
    assert (BOS << 42) | (BOS << 21) | 10 in sentence
    assert set(entry) == {
        (w << 42) | (w << 21) | 10,
        (w << 42) | (10 << 21) | 11,
        (10 << 42) | (11 << 21) | w,
    }
    assert not any(key >> 42 in (BOS, EOS) or (key >> 21) & 0x1FFFFF == BOS for key in entry)
    assert ENTRY in model.index and ENTRY not in model.lexicon.by_skeleton
    # With `<s> đinh hương` counted as a sentence the clove won at a line's start.
    assert restore_text("Dinh huong phat trien", model=model) == "Định hướng phát triển"


@pytest.mark.parametrize(
    ("stripped", "expected"),
    [
        ("cac so, ban, nganh lien quan", "các sở, ban, ngành liên quan"),
        ("Chu tich UBND tinh, Giam doc", "Chủ tịch UBND tỉnh, Giám đốc"),
        ("thuc hien Quyet dinh so 12/QD-UBND ngay", "thực hiện Quyết định số 12/QĐ-UBND ngày"),
    ],
)
def test_context_across_commas_abbreviations_and_codes(
    model: RestoreModel, stripped: str, expected: str
) -> None:
    assert restore_text(stripped, model=model) == expected


def test_decoder_cuts_at_commas_for_a_model_without_the_comma_token(
    model: RestoreModel,
) -> None:
    runs, _ = slots_of_line(0, "cac so, ban, nganh", garbled=False, commas=False)
    assert [[s.read for s in run] for run in runs] == [["cac", "so"], ["ban"], ["nganh"]]
    runs, _ = slots_of_line(0, "cac so, ban, nganh", garbled=False, commas=True)
    assert [[s.read for s in run] for run in runs] == [["cac", "so", ",", "ban", ",", "nganh"]]


def test_a_numbered_code_is_context_that_writes_nothing() -> None:
    runs, in_codes = slots_of_line(0, "so 12/QD-UBND ngay", garbled=False, commas=True)
    (run,) = runs
    code = run[1]
    assert (code.read, code.out, code.start, code.end) == ("12/QD-UBND", "", 3, 3)
    assert [(s.read, s.out) for s in in_codes] == [("QD", "QĐ")]


# --- Tesseract-vie marks --------------------------------------------------------------------

VIE_OCR = "Sở Nội vụ tham mưu Ủy ban nhân dân tỉnh Lâm Đòng công bô quyêt định câp giây phép."
VIE_FIXED = "Sở Nội vụ tham mưu Ủy ban nhân dân tỉnh Lâm Đồng công bố quyết định cấp giấy phép."


def test_accent_channel_prefers_keeping_and_learns_confusions() -> None:
    from collections import Counter

    pairs = Counter({("tổ", "tổ"): 90, ("tổ", "tố"): 10, ("phố", "phố"): 100, ("ca", "xa"): 5})
    channel = AccentChannel.train(pairs)
    assert channel.logp("tổ", "tổ") > channel.logp("tố", "tổ") > channel.logp("tô", "tổ")
    # hỏi read as sắc was seen; sắc read as hỏi was not
    assert channel.logp("tố", "tổ") > channel.logp("tổ", "tố")
    again = AccentChannel.from_json(channel.to_json())
    assert again.logp("tố", "tổ") == pytest.approx(channel.logp("tố", "tổ"), abs=3e-3)


def test_shipped_model_has_the_accent_channel(model: RestoreModel) -> None:
    assert model.accents is not None
    assert model.accents.logp("tổ", "tổ") > -0.1


def test_correct_accents_fixes_marks_and_keeps_clean_text(model: RestoreModel) -> None:
    assert correct_accents(VIE_OCR, model).text == VIE_FIXED
    assert correct_accents(CLEAN, model).text == CLEAN
    old_style = "Uỷ ban nhân dân tỉnh Hoà Bình"  # the document's own tone placement stays
    assert correct_accents(old_style, model).text == old_style


def _ocr_doc(body: str) -> Document:
    doc = _doc(body)
    doc.pages = [Page(number=1, method="ocr", text=body)]
    return doc


@pytest.mark.usefixtures("model")
def test_stage_checks_the_marks_of_vietnamese_ocr() -> None:
    doc = restore(_ocr_doc(VIE_OCR), Config(restore="auto"))
    assert doc.text.body == VIE_FIXED
    assert doc.text.restored and doc.text.restore_kind == "ocr-marks"
    assert doc.text.restore_changed_tokens == 5
    assert doc.warnings == []


@pytest.mark.usefixtures("model")
def test_stage_leaves_marks_of_typed_text_and_of_other_ocr_models() -> None:
    typed = restore(_doc(VIE_OCR), Config(restore="auto"))
    assert typed.text.body == VIE_OCR and typed.text.restore_kind == ""
    english = restore(_ocr_doc(VIE_OCR), Config(restore="auto", ocr_languages="eng"))
    assert english.text.body == VIE_OCR


@pytest.mark.usefixtures("model")
def test_cli_restore_marks_mode() -> None:
    result = CliRunner().invoke(cli, ["restore", "--mode", "marks"], input=VIE_OCR + "\n")
    assert result.exit_code == 0
    assert result.output == VIE_FIXED + "\n"


def test_capitals_alone_in_parentheses_are_an_acronym() -> None:
    from pipeline.restore.slots import parenthesised_acronym

    out = restore_text("tri tue nhan tao (AI), hop tac (PPP) va (HDND) tinh")
    assert "(AI)," in out and "(PPP)" in out
    assert "(HĐND)" in out  # a known stripped abbreviation is still restored
    assert parenthesised_acronym("IC15") and not parenthesised_acronym("Ai")
    assert not parenthesised_acronym("HDND")


@pytest.mark.parametrize("word", ["DANG", "TINH", "VIEN"])
def test_an_acronym_kept_and_the_same_word_decoded_share_no_cached_path(word: str) -> None:
    # One decoder, the word decoded alone first: the kept acronym's one-candidate list
    # must not be walked with the decoded word's cached path (an IndexError before).
    from pipeline.restore.decoder import Decoder
    from pipeline.restore.model import get_model

    decoder = Decoder(get_model())
    assert decoder.restore(word, garbled=False).text != word
    assert decoder.restore(f"x ({word})", garbled=False).text == f"x ({word})"
