"""The neural rescorer: its windows, its forward pass, its training step, its use by the decoder."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.restore import decoder as decoder_module
from pipeline.restore import explain, explain_text, restore_result
from pipeline.restore.decoder import Decoder
from pipeline.restore.lm import BOS, UNK
from pipeline.restore.model import RestoreModel, get_model
from pipeline.restore.neural import CONTEXT, OFFSETS, NeuralScorer, skeleton_table, windows
from pipeline.restore.training.neural import candidate_table, examples, gradients

VOCAB = ["<s>", "</s>", "<unk>", "<num>", "đất", "đạt", "đai", "chỉ", "tiêu"]


def _scorer(vocab: list[str], dim: int = 2) -> NeuralScorer:
    n = len(vocab)
    n_skel = int(skeleton_table(vocab)[1].max()) + 1
    return NeuralScorer(
        vocab,
        np.zeros((n, dim)),
        np.zeros((n_skel, dim)),
        np.ones((len(OFFSETS), dim)),
        np.zeros((n, dim)),
        np.zeros(n),
    )


def _topic_scorer(vocab: list[str], cue: str, favoured: str) -> NeuralScorer:
    """A scorer that favours `favoured` strongly when `cue` is within the window."""
    scorer = _scorer(vocab)
    index = {w: i for i, w in enumerate(vocab)}
    scorer.words[index[cue], 0] = 5.0  # tanh(5) ≈ 1 in dimension 0 when the cue is near
    scorer.out[index[favoured], 0] = 30.0
    return scorer


def test_windows_pad_with_the_boundary_and_skip_the_centre() -> None:
    stream = np.arange(10, 20, dtype=np.int32)
    rows = windows(stream, np.asarray([0, 9]))
    assert rows.shape == (2, 2 * CONTEXT)
    assert rows[0].tolist() == [BOS] * CONTEXT + [11, 12, 13, 14, 15, 16]
    assert rows[1].tolist() == [13, 14, 15, 16, 17, 18] + [BOS] * CONTEXT


def test_words_of_one_skeleton_share_a_skeleton_row() -> None:
    names, of = skeleton_table(VOCAB)
    index = {w: i for i, w in enumerate(VOCAB)}
    assert of[index["đất"]] == of[index["đạt"]] != of[index["đai"]]
    assert names[of[index["đất"]]] == "dat"
    assert len({of[i] for i in range(4)}) == 4  # specials keep their own


def test_log_probs_are_a_softmax_over_the_candidates() -> None:
    scorer = _topic_scorer(VOCAB, "tiêu", "đạt")
    ids = np.asarray([VOCAB.index("đất"), VOCAB.index("đạt")])
    near = np.full((1, len(OFFSETS)), BOS)
    near[0, CONTEXT] = VOCAB.index("tiêu")  # the word right after the centre
    far = np.full((1, len(OFFSETS)), BOS)
    (with_cue,) = scorer.log_probs(near, [ids])
    (without,) = scorer.log_probs(far, [ids])
    assert np.exp(with_cue).sum() == pytest.approx(1.0)
    assert with_cue[1] > np.log(0.99)
    assert without.tolist() == pytest.approx([np.log(0.5)] * 2)


def test_a_scorer_survives_saving_and_a_grown_vocabulary(tmp_path) -> None:
    scorer = _topic_scorer(VOCAB, "tiêu", "đạt")
    scorer.save(tmp_path / "n.npz")
    loaded = NeuralScorer.load(tmp_path / "n.npz")
    assert loaded.vocab == VOCAB
    assert loaded.out[VOCAB.index("đạt"), 0] == 30.0
    grown = [*VOCAB, "mới"]
    assert loaded.mapping(grown).tolist() == [*range(len(VOCAB)), UNK]


def test_training_examples_are_the_ambiguous_syllables_with_their_truth() -> None:
    table, skeleton_of = candidate_table(VOCAB)
    index = {w: i for i, w in enumerate(VOCAB)}
    doc = np.asarray([index[w] for w in ("chỉ", "tiêu", "đạt", "đai")], dtype=np.int32)
    ctx, skeletons, target = examples([doc], [2], table, skeleton_of)
    assert len(target) == 2  # only `đạt` has a sibling (`đất`); repeated twice
    row = table[skeletons[0]]
    assert VOCAB[row[target[0]]] == "đạt"
    assert sorted(VOCAB[i] for i in row if i >= 0) == ["đạt", "đất"]
    assert ctx[0, CONTEXT - 1] == index["tiêu"] and ctx[0, CONTEXT] == index["đai"]


@pytest.fixture()
def fresh_model() -> RestoreModel:
    """The shipped LM in a model of its own (no scorer), so that setting one leaks nowhere."""
    shipped = get_model()
    return RestoreModel(shipped.vocab, shipped.lm, shipped.channel, cases=shipped.cases)


def test_a_context_word_beyond_the_trigram_changes_the_choice(
    fresh_model: RestoreModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "chi tieu ve ket qua dat duoc"
    before = restore_result(text, fresh_model, Decoder(fresh_model)).text
    assert before.split()[5] == "đạt"
    monkeypatch.setattr(decoder_module, "NEURAL_UNCERTAIN", 1.01)
    fresh_model.neural = _topic_scorer(fresh_model.vocab, "chỉ", "đất")
    after = restore_result(text, fresh_model, Decoder(fresh_model)).text
    # `chỉ` is five syllables back: only the scorer sees it
    assert after.split()[5] == "đất"
    assert after.split()[:5] == before.split()[:5]
    far = "chi tieu ve ket qua cua nam nay dat duoc"
    assert restore_result(far, fresh_model, Decoder(fresh_model)).text.split()[8] == "đạt"


def test_sure_slots_are_not_rescored(fresh_model: RestoreModel) -> None:
    text = "chi tieu ve ket qua dat duoc"
    fresh_model.neural = _topic_scorer(fresh_model.vocab, "chỉ", "đất")
    result = Decoder(fresh_model).restore(text, garbled=False)
    plain = Decoder(fresh_model).restore(text, garbled=False, neural=False)
    sure = [k for k, c in enumerate(plain.confidences) if c >= decoder_module.NEURAL_UNCERTAIN]
    assert sure
    assert [result.tokens[k].out for k in sure] == [plain.tokens[k].out for k in sure]


def test_hand_written_gradients_match_finite_differences() -> None:
    rng = np.random.default_rng(0)
    _, skeleton_of = skeleton_table(VOCAB)
    n, dim = len(VOCAB), 3
    params = {
        "words": rng.normal(0, 0.5, (n, dim)),
        "skeletons": rng.normal(0, 0.5, (int(skeleton_of.max()) + 1, dim)),
        "weights": rng.normal(0, 0.5, (len(OFFSETS), dim)),
        "out": rng.normal(0, 0.5, (n, dim)),
        "bias": rng.normal(0, 0.5, n),
    }
    ctx = rng.integers(0, n, (3, len(OFFSETS)))
    words_in = np.where(rng.random(ctx.shape) < 0.3, UNK, ctx)
    rows = np.asarray([[4, 5, -1], [4, 5, -1], [7, 8, 6]])
    target = np.asarray([0, 1, 2])
    _, grads = gradients(params, skeleton_of, ctx, words_in, rows, target)
    eps = 1e-6
    for name, array in params.items():
        for pos in [tuple(rng.integers(0, s) for s in array.shape) for _ in range(6)]:
            saved = array[pos]
            array[pos] = saved + eps
            up, _ = gradients(params, skeleton_of, ctx, words_in, rows, target)
            array[pos] = saved - eps
            down, _ = gradients(params, skeleton_of, ctx, words_in, rows, target)
            array[pos] = saved
            numeric = (up - down) / (2 * eps) / len(target)
            assert grads[name][pos] == pytest.approx(numeric, abs=1e-6), (name, pos)


def test_explain_names_the_rescorer_and_its_bonus(
    fresh_model: RestoreModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decoder_module, "NEURAL_UNCERTAIN", 1.01)
    fresh_model.neural = _topic_scorer(fresh_model.vocab, "chỉ", "đất")
    _, explanations = explain("chi tieu ve ket qua dat duoc", model=fresh_model)
    (dat,) = [e for e in explanations if e.read == "dat"]
    assert dat.written == "đất" and dat.rescored and not dat.remembered
    channel = {a.word: a.channel for a in dat.alternatives}
    assert channel["đất"] > channel["đạt"] + 10  # the scorer's bonus, shown as channel
    assert "[neural scorer]" in explain_text("chi tieu ve ket qua dat duoc", model=fresh_model)


def test_syllables_inside_a_name_are_left_to_the_lm(
    fresh_model: RestoreModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decoder_module, "NEURAL_UNCERTAIN", 1.01)
    fresh_model.neural = _topic_scorer(fresh_model.vocab, "chỉ", "đất")
    # the scorer is heard on an ordinary word…
    plain = restore_result("chi tieu ve ket qua dat", fresh_model, Decoder(fresh_model))
    assert plain.text.split()[5] == "đất"
    # …not inside a name (`Dat` after `Tien`), where the case-blind scorer knows no better
    text = "chi tieu ve ket qua Tien Dat"
    named = Decoder(fresh_model).restore(text, garbled=False)
    lm_only = Decoder(fresh_model).restore(text, garbled=False, neural=False)
    assert named.text.split()[6] == lm_only.text.split()[6] != "Đất"
