"""The optional C core (`pipeline/restore/_lattice.c`) against the Python code it replaces.

The core must return exactly what the Python search and channel return; these tests run
both on the same inputs, each with its own freshly loaded model so no cache is shared.
"""

from __future__ import annotations

import math
import random
import shutil
import unicodedata
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.native import PURE_PYTHON_ENV, extension
from pipeline.restore import correct_accents, restore_result
from pipeline.restore.channel import Channel, _emissions, _Reading
from pipeline.restore.lm import BOS, EOS, NUM, UNK
from pipeline.restore.model import RestoreModel, model_dir

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

lattice = extension("lattice")
needs_core = pytest.mark.skipif(lattice is None, reason="the C core is not built")


def _strip(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


@pytest.fixture(scope="module")
def models() -> tuple[RestoreModel, RestoreModel]:
    """Two separate loads of the shipped model: one for each path."""
    return RestoreModel.load(model_dir()), RestoreModel.load(model_dir())


def test_core_is_built_where_a_compiler_is() -> None:
    # `make setup` builds it; a silent fallback would cost 2-3x in speed unnoticed.
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no C compiler: the pure-Python path is used")
    assert lattice is not None, "pipeline/restore/_lattice.c was not built (pip install -e .)"


def test_switch_turns_the_core_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    assert extension("lattice") is None
    assert extension("imaging") is None


def _both(monkeypatch, models, run):
    """`run(model)` with the C core on the first model, in pure Python on the second."""
    fast = run(models[0])
    monkeypatch.setenv(PURE_PYTHON_ENV, "1")
    try:
        slow = run(models[1])
    finally:
        monkeypatch.delenv(PURE_PYTHON_ENV)
    return fast, slow


def _same(fast, slow) -> None:
    assert fast.text == slow.text
    assert fast.changed_tokens == slow.changed_tokens
    assert len(fast.confidences) == len(slow.confidences)
    for a, b in zip(fast.confidences, slow.confidences, strict=True):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@needs_core
@pytest.mark.parametrize(
    ("name", "prepare"),
    [
        ("haiphong-24-KH-UBND-2026.md", _strip),
        ("cathai-83-KH-UBND-2026.ocr.txt", lambda text: text),
    ],
)
def test_core_restores_exactly_as_python(monkeypatch, models, name, prepare) -> None:
    text = prepare((SAMPLES / name).read_text(encoding="utf-8"))
    lines = text.split("\n")[:80]  # enough lattices of every kind, and quick
    text = "\n".join(lines)
    fast, slow = _both(monkeypatch, models, lambda model: restore_result(text, model))
    assert fast.slots > 300
    _same(fast, slow)


@needs_core
def test_core_corrects_marks_exactly_as_python(monkeypatch, models) -> None:
    text = (SAMPLES / "haiphong-24-KH-UBND-2026.md").read_text(encoding="utf-8")
    text = "\n".join(text.split("\n")[:40]).replace("tổ chức", "tô chức").replace("ố", "ô")
    fast, slow = _both(monkeypatch, models, lambda model: correct_accents(text, model))
    assert fast.changed_tokens > 0
    _same(fast, slow)


@needs_core
def test_core_logp_matches_the_tables(models) -> None:
    lm = models[0].lm
    compiled = lm.compiled()
    rng = random.Random(7)
    seen = list(lm.tri)[:300]
    triples = [(k >> 42, (k >> 21) & ((1 << 21) - 1), k & ((1 << 21) - 1)) for k in seen]
    triples += [tuple(rng.randrange(lm.vocab_size) for _ in range(3)) for _ in range(300)]
    triples += [(BOS, BOS, NUM), (NUM, UNK, EOS), (UNK, UNK, UNK)]
    for a, b, c in triples:
        assert compiled.logp(a, b, c) == lm.logp(a, b, c)
    with pytest.raises(IndexError):
        compiled.logp(0, 0, lm.vocab_size)


@needs_core
def test_core_search_checks_its_input(models) -> None:
    compiled = models[0].lm.compiled()
    with pytest.raises(ValueError):
        compiled.search([[4, 5]], [[0.0]], 6, 7.0)  # one score for two candidates
    with pytest.raises(ValueError):
        compiled.search([[]], [[]], 6, 7.0)  # a position without candidates
    with pytest.raises(ValueError):
        compiled.search([[10**9]], [[0.0]], 6, 7.0)  # no such word
    with pytest.raises(RuntimeError):
        type(compiled).__new__(type(compiled)).search([[4]], [[0.0]], 6, 7.0)
    path, confidences = compiled.search([[4], [5, 6]], [[0.0], [0.0, -1.0]], 6, 7.0)
    assert len(path) == 2 and path[0] == 0 and confidences[0] == 1.0
    assert 0.0 < confidences[1] <= 1.0


@needs_core
def test_core_emission_rows_match_python(models) -> None:
    channel = models[0].channel
    for read in ("ctia", "thuéng", "t6", "a", "nhiém"):
        table = _Reading(read)
        letters = "aăâđươôêeiouyảạắầốờứ"
        rows = array("d")
        rows.frombytes(
            lattice.emission_rows(read, table.pairs, [channel._pieces_of(t) for t in letters])
        )
        width = 2 * len(read) + 4
        for n, t in enumerate(letters):
            drop, one, two, best = _emissions(read, table.pairs, channel._pieces_of(t))
            assert list(rows[n * width : (n + 1) * width]) == [drop, *one, *two, best]


@needs_core
def test_core_alignment_gives_up_on_strings_too_long(models) -> None:
    channel = models[0].channel
    long_read = "a" * 70
    assert lattice.align_top_k("a", array("d", [0.0] * 144), 70, ["a"], [0.0], 1, None) is None
    # …and the channel then aligns in Python
    assert channel.top_k(long_read, ["a", "b"], [0.0, 0.0], 1) == [0]


READS = st.text(alphabet="acdeghiklmnoprstuvy6éèâôơưđ1ti", min_size=1, max_size=8)


@needs_core
@settings(max_examples=60, deadline=None)
@given(
    read=READS,
    picks=st.lists(st.integers(min_value=4, max_value=7000), min_size=1, max_size=60),
    k=st.integers(min_value=1, max_value=16),
    seed=st.integers(min_value=0, max_value=10**6),
)
def test_core_top_k_is_the_python_top_k(models, read, picks, k, seed) -> None:
    vocab = models[0].vocab
    trues = [vocab[i] for i in picks if i < len(vocab) and vocab[i][:1].isalpha()]
    rng = random.Random(seed)
    bonus = [rng.choice([0.0, -1.0, -2.5, rng.uniform(-12, 0)]) for _ in trues]
    data = models[0].channel.to_json()
    fast_channel, slow_channel = Channel.from_json(data), Channel.from_json(data)
    fast = fast_channel.top_k(read, trues, bonus, k)
    slow = Channel._python_top_k(slow_channel, read, trues, bonus, k)
    assert fast == slow
    for i in fast:  # the scores the core kept are the Python alignments
        assert fast_channel.logp(read, trues[i]) == slow_channel.logp(read, trues[i])
    floor = rng.uniform(-25, -2)
    assert fast_channel.any_above(read, trues, floor) == Channel._python_any_above(
        slow_channel, read, trues, floor
    )
