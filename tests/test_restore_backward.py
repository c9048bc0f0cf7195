"""The backward LM: its counts derived from the forward ones, its file, its use by the decoder."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.restore import decoder as decoder_module
from pipeline.restore import explain_text, restore_result
from pipeline.restore.decoder import Decoder
from pipeline.restore.lm import TrigramLM, count_trigrams, reversed_counts
from pipeline.restore.model import RestoreModel, get_model

BOUNDARY = 5
"""The word-list padding's id in these tests (`train.ENTRY`'s place in the vocabulary)."""

_runs = st.lists(st.lists(st.integers(6, 12), min_size=1, max_size=6), max_size=6)


@given(sentences=_runs, entries=_runs, weight=st.integers(1, 3))
def test_reversed_counts_are_the_counts_of_the_runs_read_backwards(
    sentences: list[list[int]], entries: list[list[int]], weight: int
) -> None:
    forward = count_trigrams(sentences, weight)
    count_trigrams(entries, 1, forward, BOUNDARY)
    backward = count_trigrams([run[::-1] for run in sentences], weight)
    count_trigrams([run[::-1] for run in entries], 1, backward, BOUNDARY)
    assert reversed_counts(forward, BOUNDARY) == backward


def test_a_one_word_run_reads_the_same_both_ways() -> None:
    forward = count_trigrams([[7]])
    assert reversed_counts(forward, BOUNDARY) == forward


@pytest.fixture
def fresh_model() -> RestoreModel:
    """The shipped LM without a backward LM or a neural scorer, for tests to give one."""
    shipped = get_model()
    model = RestoreModel(shipped.vocab, shipped.lm, shipped.channel, cases=shipped.cases)
    model.neural = None
    return model


def _backward_favouring(model: RestoreModel, words: list[str], times: int) -> TrigramLM:
    """A backward LM that has seen the run `words` `times` times and nothing else."""
    ids = [model.index[w] for w in words]
    return TrigramLM.estimate(len(model.vocab), count_trigrams([ids[::-1]], times))


def _words(text: str, model: RestoreModel) -> list[str]:
    return restore_result(text, model, Decoder(model)).text.split()


def test_the_backward_lm_can_change_an_uncertain_choice(
    fresh_model: RestoreModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "chi tieu ve ket qua dat duoc"
    lm_only = _words(text, fresh_model)
    monkeypatch.setattr(decoder_module, "BACKWARD_UNCERTAIN", 1.01)
    fresh_model.backward = _backward_favouring(fresh_model, ["đất", "được"], 1000)
    rescored = _words(text, fresh_model)
    assert (lm_only[5], rescored[5]) == ("đạt", "đất")
    assert rescored[:5] == lm_only[:5]
    assert "[backward LM]" in explain_text(text, model=fresh_model)
    # garble and Tesseract-vie marks have no second pass
    garbled = Decoder(fresh_model).restore("ket qua dat duoc", garbled=True)
    fresh_model.backward = None
    assert garbled.text == Decoder(fresh_model).restore("ket qua dat duoc", garbled=True).text


def test_sure_slots_keep_the_forward_choice(fresh_model: RestoreModel) -> None:
    text = "chi tieu ve ket qua dat duoc"
    plain = Decoder(fresh_model).restore(text, garbled=False)
    fresh_model.backward = _backward_favouring(fresh_model, ["đất", "được"], 1000)
    result = Decoder(fresh_model).restore(text, garbled=False)
    sure = [k for k, c in enumerate(plain.confidences) if c >= decoder_module.BACKWARD_UNCERTAIN]
    assert sure
    assert [result.tokens[k].out for k in sure] == [plain.tokens[k].out for k in sure]


def test_the_backward_lm_is_saved_and_loaded_with_the_model(tmp_path) -> None:
    vocab = ["<s>", "</s>", "<unk>", "<num>", ",", "<w>", "kế", "hoạch", "năm"]
    counts = count_trigrams([[6, 7, 8], [6, 7]])
    shipped = get_model()
    lm = TrigramLM.estimate(len(vocab), counts)
    backward = TrigramLM.estimate(len(vocab), reversed_counts(counts, BOUNDARY))
    RestoreModel(vocab, lm, shipped.channel, backward=backward).save(tmp_path / "with")
    loaded = RestoreModel.load(tmp_path / "with")
    assert loaded.backward is not None
    assert loaded.backward.logp(0, 8, 7) == pytest.approx(backward.logp(0, 8, 7), abs=1e-6)
    assert loaded.backward.logp(0, 8, 7) != pytest.approx(loaded.lm.logp(0, 8, 7), abs=1e-3)
    RestoreModel(vocab, lm, shipped.channel).save(tmp_path / "without")
    assert RestoreModel.load(tmp_path / "without").backward is None


def test_the_shipped_model_has_its_backward_lm() -> None:
    model = get_model()
    assert model.backward is not None
    keys, values = RestoreModel.load(model.path, with_counts=True).tri_counts
    forward = Counter(dict(zip(keys.tolist(), values.tolist(), strict=True)))
    backward = TrigramLM.estimate(len(model.vocab), reversed_counts(forward, model.index["<w>"]))
    kế, hoạch = model.index["kế"], model.index["hoạch"]
    assert model.backward.logp(0, hoạch, kế) == pytest.approx(backward.logp(0, hoạch, kế), abs=1e-5)
