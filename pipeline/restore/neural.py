"""A small syllable-level neural scorer that rescores the beam's uncertain choices.

The trigram LM sees two words back; a plan's topic (`quản lý đất đai` a dozen words
earlier) often decides a syllable it cannot.  The scorer reads ±`CONTEXT` neighbouring
syllables — the decoder's restored words and their skeletons — and gives each candidate
spelling of one position a log-probability, a softmax over the candidates:

    e_o  = W[word at offset o] + S[skeleton at offset o]
    h    = tanh(Σ_o P[o] ⊙ e_o)
    s_c  = U[c] · h + b[c]

Inference is numpy only; training is `training/neural.py`.  The file (`restore-neural.npz`)
holds float16 arrays and its own vocabulary, so it still fits a model whose vocabulary grew
(`train-lm --add`): words it never saw read as `<unk>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.restore.lm import BOS, UNK
from pipeline.vietnamese import word_skeleton

CONTEXT = 6
"""Syllables read on each side (the issue's ±6: beyond that the plans' sentences end)."""
OFFSETS = tuple(o for o in range(-CONTEXT, CONTEXT + 1) if o)
"""Relative positions of the context, centre left out (the candidates are its readings)."""
BOUNDARY = BOS
"""Written between runs and around a document: punctuation the runs were cut at."""


def skeleton_table(vocab: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """The skeletons of `vocab` (specials keep their own) and each word's skeleton index."""
    names: dict[str, int] = {}
    of = np.empty(len(vocab), dtype=np.int32)
    for i, word in enumerate(vocab):
        key = word if word.startswith("<") or not word.isalpha() else word_skeleton(word)
        of[i] = names.setdefault(key, len(names))
    return list(names), of


def windows(stream: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """The context word ids of each position of `stream` (padded with `BOUNDARY`):
    shape (len(positions), len(OFFSETS))."""
    padded = np.concatenate(
        [np.full(CONTEXT, BOUNDARY, np.int32), stream, np.full(CONTEXT, BOUNDARY, np.int32)]
    )
    offsets = np.asarray(OFFSETS, dtype=np.int64)
    return padded[positions[:, None] + CONTEXT + offsets[None, :]]


class NeuralScorer:
    """The trained arrays and the forward pass."""

    def __init__(
        self,
        vocab: list[str],
        words: np.ndarray,
        skeletons: np.ndarray,
        weights: np.ndarray,
        out: np.ndarray,
        bias: np.ndarray,
    ) -> None:
        """Arrays as `training.neural` writes them: `words` (V, d) and `skeletons` (S, d)
        input embeddings, `weights` (positions, d), `out` (V, d) and `bias` (V,)."""
        self.vocab = vocab
        self.index = {w: i for i, w in enumerate(vocab)}
        self.words = words.astype(np.float32)
        self.skeletons = skeletons.astype(np.float32)
        self.weights = weights.astype(np.float32)
        self.out = out.astype(np.float32)
        self.bias = bias.astype(np.float32)
        _, self.skeleton_of = skeleton_table(vocab)
        self._maps: dict[int, np.ndarray] = {}

    def save(self, path: Path) -> None:
        """Write the arrays as float16 (the scores need no more) through a temp file."""
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp,
            vocab=np.frombuffer("\n".join(self.vocab).encode("utf-8"), dtype=np.uint8),
            words=self.words.astype(np.float16),
            skeletons=self.skeletons.astype(np.float16),
            weights=self.weights.astype(np.float16),
            out=self.out.astype(np.float16),
            bias=self.bias.astype(np.float16),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> NeuralScorer:
        """Read a file `save` wrote (raises OSError, KeyError or ValueError when unusable)."""
        with np.load(path) as data:
            vocab = data["vocab"].tobytes().decode("utf-8").split("\n")
            return cls(
                vocab, data["words"], data["skeletons"], data["weights"], data["out"], data["bias"]
            )

    def mapping(self, vocab: Sequence[str]) -> np.ndarray:
        """This scorer's id of each word of an LM's `vocab` (`<unk>` for words it lacks)."""
        cached = self._maps.get(id(vocab))
        if cached is None or len(cached) != len(vocab):
            index = self.index
            cached = np.fromiter((index.get(w, UNK) for w in vocab), np.int32, len(vocab))
            self._maps[id(vocab)] = cached
        return cached

    def hidden(self, contexts: np.ndarray) -> np.ndarray:
        """h for each row of context word ids (this scorer's ids): shape (N, d)."""
        emb = self.words[contexts] + self.skeletons[self.skeleton_of[contexts]]
        return np.tanh(np.einsum("nod,od->nd", emb, self.weights))

    def log_probs(
        self, contexts: np.ndarray, candidates: list[np.ndarray], relative: bool = False
    ) -> list[np.ndarray]:
        """Log-softmax over each position's candidate ids given its context row; with
        `relative`, minus the log-softmax of the biases alone: what the context adds to
        the scorer's prior (the LM has a prior of its own)."""
        h = self.hidden(contexts)
        result = []
        for row, cands in zip(h, candidates, strict=True):
            bias = self.bias[cands]
            s = _log_softmax(self.out[cands] @ row + bias)
            result.append(s - _log_softmax(bias) if relative else s)
        return result


def _log_softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max()
    return s - np.log(np.exp(s).sum())
