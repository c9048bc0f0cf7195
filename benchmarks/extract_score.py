"""Scoring of extraction output against the genre gold (`tests/data/genre/*/*.gold.json`).

Pure functions only: no file or pipeline access, so the scorer can be tested on inline data
and reused by other harnesses.  The gold format and the field meanings are those of
`../shared/CONVENTIONS.md`; `bench_extract.py` feeds `Document.to_output()` dicts in here.

Two rules run through everything:

* Text is compared *normalised* (`normalise`): NFC, one canonical tone placement
  (`hoá` → `hóa`, `Uỷ` → `Ủy`), casefolded, whitespace folded.
* A field the prediction does not carry at all (an older pipeline that has no
  `issuer_parent`, no task `kind`…) is `MISSING`, which equals nothing, not even a gold null:
  a field that is never produced must not score as "correctly empty".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher

MISSING = object()
"""Sentinel for a field absent from the prediction; never equal to any gold value."""

METADATA_FIELDS = (
    "doc_type",
    "number",
    "number_complete",
    "issuer",
    "issuer_parent",
    "place",
    "issue_date",
    "title",
    "signer",
    "signer_position",
    "signer_authority",
    "plan_period",
)
"""The metadata fields scored one by one (CONVENTIONS.md, Metadata), in report order."""

TASK_MATCH_RATIO = 0.8
"""difflib ratio at which two normalised task texts count as the same item: tolerates a
kept marker, punctuation or a clause of difference, not a different task of similar words."""

TASK_PREFIX_CHARS = 200
"""Only this many leading characters enter the ratio: long items differ mostly in their
tails (merged sub-bullets, trailing deadlines), and the ratio costs grow quadratically."""

MIN_CONTAINED_CHARS = 20
"""Containment ("one text contains the other") only counts for texts at least this long,
so a bare unit name or a label such as `Nhiệm vụ:` cannot match every task that uses it."""

LEAD_SEPARATOR = "; "
"""How a list of leads is joined into the `lead` string (CONVENTIONS.md, Tasks)."""

AUTHORITY_SPELLINGS = {"t/m": "tm.", "k/t": "kt.", "t/l": "tl.", "tuq": "tuq.", "q": "q."}
"""Slash and bare spellings of the signature authority prefixes (`T/M BAN CHẤP HÀNH` is
`TM. BAN CHẤP HÀNH`): the printed spelling varies by issuer, the meaning does not."""

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
"""Combining grave, acute, tilde, hook above, dot below: the five Vietnamese tone marks."""

_OPEN_GLIDES = ("oa", "oe", "uy")
"""Open syllables whose tone the old style puts on the second vowel (`hoá`, `thuỷ`) and the
canonical style on the first (`hóa`, `thủy`); with a final consonant (`hoàn`) both agree."""

_WORD = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_MARKER = re.compile(
    r"^\s*(?:điều\s+\d+\s*[.:]|(?:[ivxlc]+|\d+(?:\.\d+)*)\s*[.)]|[a-zđ]\)|[-+*•–])\s*"
)
"""A leading numbering marker (`II.`, `1.2.`, `a)`, `-`, `Điều 3.`) on normalised text."""
_TRAILING = re.compile(r"[\s.;:,/]+$")
_LETTER_PREFIX = re.compile(r"^v/v\s*")
"""The `V/v` ("về việc") that opens a letter's title line."""
_LEAD_SEPARATORS = re.compile(r"\s*(?:[;,]|\bvà\b)\s*")


# --- normalisation ---------------------------------------------------------------------


def _canonical_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return word
    base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONES))
    lower = base.casefold()
    if len(base) < 2 or not lower.endswith(_OPEN_GLIDES):
        return word
    if lower.endswith("uy") and lower[:-2].endswith("q"):  # `quý`: the u belongs to qu
        return word
    # Put the tone on the first vowel of the glide (a plain o or u: no other marks).
    head, first, last = base[:-2], base[-2], base[-1]
    return unicodedata.normalize("NFC", head + first + tones[0] + last)


def canonical_tones(text: str) -> str:
    """Move old-style tone marks to the canonical vowel: `hoá` → `hóa`, `Uỷ` → `Ủy`.

    Words are NFC in the result; words with no tone or another vowel pattern are unchanged.
    """
    text = unicodedata.normalize("NFC", text)
    return _WORD.sub(lambda m: _canonical_word(m.group(0)), text)


def normalise(text: str | None) -> str:
    """Compare form of a string: NFC, canonical tones, casefolded, whitespace folded."""
    if not text:
        return ""
    return _SPACE.sub(" ", canonical_tones(text).casefold()).strip()


def normalise_task_text(text: str | None) -> str:
    """`normalise`, then without a leading numbering marker or trailing punctuation."""
    return _TRAILING.sub("", _MARKER.sub("", normalise(text), count=1)).strip()


def normalise_number(number: str | None) -> str:
    """A document number without whitespace, NFC, casefolded (`24 /KH-UBND` = `24/kh-ubnd`)."""
    if not number:
        return ""
    return "".join(unicodedata.normalize("NFC", number).split()).casefold()


def fold_lead_separators(lead: str) -> str:
    """A normalised lead with `;`, `,` and `và` folded to spaces: the lenient comparison,
    where only the words of the lead count and not how the list was split."""
    return _SPACE.sub(" ", _LEAD_SEPARATORS.sub(" ", normalise(lead))).strip()


# --- reading predictions ----------------------------------------------------------------


def lead_of(task: dict):
    """A task's lead as one string: its `leads` list joined, else its `lead` string.

    Returns "" when the task says it has no lead, `MISSING` when it has neither key.
    """
    leads = task.get("leads")
    if isinstance(leads, list):
        return LEAD_SEPARATOR.join(str(x) for x in leads if x)
    if "lead" in task:
        return task.get("lead") or ""
    return MISSING


def period_bounds(task: dict):
    """(start, end) ISO strings of a task's period, (None, None) for none, or `MISSING`."""
    if "period" not in task:
        return MISSING
    period = task.get("period") or {}
    return period.get("start"), period.get("end")


def _authority(value) -> str:
    if isinstance(value, list):
        value = LEAD_SEPARATOR.join(str(v) for v in value)
    text = normalise(value)
    parts = []
    for part in text.split(";"):
        part = part.strip()
        prefix, _, rest = part.partition(" ")
        prefix = AUTHORITY_SPELLINGS.get(prefix, prefix)
        parts.append(f"{prefix} {rest}".strip())
    return "; ".join(p for p in parts if p)


def metadata_value(metadata: dict, name: str):
    """The comparable form of one metadata field, `MISSING` when the key is absent."""
    if name not in metadata:
        return MISSING
    value = metadata[name]
    if name == "plan_period":
        return None if not value else (value.get("start"), value.get("end"))
    if name == "number_complete":
        return None if value is None else bool(value)
    if name == "number":
        return normalise_number(value)
    if name == "issue_date":
        return value or None
    if name == "signer_authority":
        return _authority(value)
    if name == "title":
        return _LETTER_PREFIX.sub("", normalise(value))
    return normalise(value) if isinstance(value, str) else value


# --- scores -----------------------------------------------------------------------------


@dataclass
class Counts:
    """True positives and the sizes of both sides, summable over documents."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.pred + other.pred, self.gold + other.gold)

    @property
    def precision(self) -> float | None:
        return self.tp / self.pred if self.pred else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.gold if self.gold else None

    @property
    def f1(self) -> float | None:
        """Harmonic mean; None when neither side has anything (nothing to score)."""
        if not self.pred and not self.gold:
            return None
        total = self.pred + self.gold
        return 2 * self.tp / total


def score_metadata(gold: dict, pred: dict) -> dict[str, bool]:
    """Per field of `METADATA_FIELDS`: does the prediction equal the gold?"""
    return {
        name: metadata_value(pred, name) == metadata_value(gold, name) for name in METADATA_FIELDS
    }


def title_similarity(gold: str | None, pred: str | None) -> float:
    """difflib ratio of the normalised titles (1.0 when both are empty)."""
    a, b = metadata_value({"title": gold}, "title"), metadata_value({"title": pred}, "title")
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def score_refs(gold: list[dict], pred: list[dict]) -> Counts:
    """Legal references compared by distinct normalised number (unnumbered ones ignored)."""
    want = {normalise_number(r.get("number")) for r in gold} - {""}
    got = {normalise_number(r.get("number")) for r in pred} - {""}
    return Counts(len(want & got), len(got), len(want))


def _iso(item) -> str | None:
    if isinstance(item, dict):
        item = item.get("date")
    return str(item) if item else None


def score_dates(gold: list, pred: list) -> Counts:
    """Dates as multisets of ISO strings (duplicates count; order does not)."""
    want = Counter(d for d in map(_iso, gold) if d)
    got = Counter(d for d in map(_iso, pred) if d)
    return Counts(sum((want & got).values()), sum(got.values()), sum(want.values()))


def pair_score(gold_text: str, pred_text: str) -> float:
    """How well two normalised task texts match; 0 when they are not a match at all.

    A ratio ≥ `TASK_MATCH_RATIO` (on the first `TASK_PREFIX_CHARS`) scores the ratio.
    Otherwise, when one contains the other and the shorter has `MIN_CONTAINED_CHARS`, the
    score is below every ratio match and grows with how much of the longer text the
    shorter covers, so the closest of several fragments is matched first.
    """
    if not gold_text or not pred_text:
        return 0.0
    ratio = SequenceMatcher(
        None, gold_text[:TASK_PREFIX_CHARS], pred_text[:TASK_PREFIX_CHARS], autojunk=False
    ).ratio()
    if ratio >= TASK_MATCH_RATIO:
        return ratio
    short, long_ = sorted((gold_text, pred_text), key=len)
    if len(short) >= MIN_CONTAINED_CHARS and short in long_:
        return TASK_MATCH_RATIO * len(short) / len(long_) * 0.999
    return 0.0


@dataclass
class Matching:
    """One-to-one task matching: `pairs` of (gold index, predicted index), best first, and
    the predicted rows that are sub-items of a matched gold task (`neutral`)."""

    pairs: list[tuple[int, int]] = field(default_factory=list)
    neutral: set[int] = field(default_factory=set)


def match_tasks(gold_texts: list[str], pred_texts: list[str]) -> Matching:
    """Match normalised task texts greedily, best `pair_score` first, one to one.

    An unmatched prediction whose text lies inside a matched gold task's text is a sub-item
    of it (a bullet the pipeline split off): it counts neither for nor against.
    """
    candidates = []
    for g, gold_text in enumerate(gold_texts):
        for p, pred_text in enumerate(pred_texts):
            score = pair_score(gold_text, pred_text)
            if score > 0:
                candidates.append((score, g, p))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matching = Matching()
    for _, g, p in candidates:
        if g in used_gold or p in used_pred:
            continue
        used_gold.add(g)
        used_pred.add(p)
        matching.pairs.append((g, p))
    matched_gold = [gold_texts[g] for g in used_gold]
    for p, pred_text in enumerate(pred_texts):
        if p not in used_pred and pred_text and any(pred_text in t for t in matched_gold):
            matching.neutral.add(p)
    return matching


@dataclass
class TaskScore:
    """Task rows of one document (or summed): detection counts and, over matched pairs,
    how many have the right period start, period end, lead and kind."""

    rows: Counts = field(default_factory=Counts)
    assignments: Counts = field(default_factory=Counts)
    matched: int = 0
    start_ok: int = 0
    end_ok: int = 0
    lead_ok: int = 0
    lead_folded_ok: int = 0
    kind_ok: int = 0

    def __add__(self, other: TaskScore) -> TaskScore:
        return TaskScore(
            self.rows + other.rows,
            self.assignments + other.assignments,
            *(
                getattr(self, name) + getattr(other, name)
                for name in (
                    "matched",
                    "start_ok",
                    "end_ok",
                    "lead_ok",
                    "lead_folded_ok",
                    "kind_ok",
                )
            ),
        )


def _detection(gold: list[dict], pred: list[dict]) -> tuple[Counts, Matching]:
    gold_texts = [normalise_task_text(t.get("text")) for t in gold]
    pred_texts = [normalise_task_text(t.get("text")) for t in pred]
    matching = match_tasks(gold_texts, pred_texts)
    counted = len(pred) - len(matching.neutral)
    return Counts(len(matching.pairs), counted, len(gold)), matching


def score_tasks(gold: list[dict], pred: list[dict]) -> TaskScore:
    """Detection F1 over all rows and over assignments only (a prediction without `kind`
    is no assignment), then period, lead and kind agreement over the all-row matches."""
    rows, matching = _detection(gold, pred)
    assignments, _ = _detection(
        [t for t in gold if t.get("kind") == "assignment"],
        [t for t in pred if t.get("kind") == "assignment"],
    )
    score = TaskScore(rows=rows, assignments=assignments, matched=len(matching.pairs))
    for g, p in matching.pairs:
        want, got = gold[g], pred[p]
        bounds, pred_bounds = period_bounds(want), period_bounds(got)
        if pred_bounds is not MISSING:
            score.start_ok += pred_bounds[0] == bounds[0]
            score.end_ok += pred_bounds[1] == bounds[1]
        want_lead, got_lead = lead_of(want), lead_of(got)
        if got_lead is not MISSING:
            score.lead_ok += normalise(got_lead) == normalise(want_lead)
            score.lead_folded_ok += fold_lead_separators(got_lead) == fold_lead_separators(
                want_lead
            )
        score.kind_ok += got.get("kind", MISSING) == want.get("kind")
    return score


@dataclass
class DocScore:
    """Everything scored for one document."""

    name: str
    metadata: dict[str, bool]
    title_similarity: float
    refs: Counts
    dates: Counts
    tasks: TaskScore


def score_document(name: str, gold: dict, pred: dict) -> DocScore:
    """Score one prediction (a `Document.to_output()` dict) against its gold dict."""
    gold_meta, pred_meta = gold.get("metadata") or {}, pred.get("metadata") or {}
    return DocScore(
        name=name,
        metadata=score_metadata(gold_meta, pred_meta),
        title_similarity=title_similarity(gold_meta.get("title"), pred_meta.get("title")),
        refs=score_refs(gold.get("legal_refs") or [], pred.get("legal_refs") or []),
        dates=score_dates(gold.get("dates") or [], pred.get("dates") or []),
        tasks=score_tasks(gold.get("tasks") or [], pred.get("tasks") or []),
    )


def ratio(numerator: int, denominator: int) -> float | None:
    """numerator / denominator, None when there is nothing to divide."""
    return numerator / denominator if denominator else None


def summarise(scores: list[DocScore]) -> dict[str, float | None]:
    """Split-level figures: metadata field accuracies (mean over documents) and their mean,
    micro-averaged P/R/F1 for references, dates and tasks, accuracies over matched tasks."""
    out: dict[str, float | None] = {}
    if not scores:
        return out
    for name in METADATA_FIELDS:
        out[f"metadata.{name}"] = sum(s.metadata[name] for s in scores) / len(scores)
    out["metadata mean"] = sum(out[f"metadata.{n}"] for n in METADATA_FIELDS) / len(METADATA_FIELDS)
    out["title similarity"] = sum(s.title_similarity for s in scores) / len(scores)
    refs = sum((s.refs for s in scores), Counts())
    dates = sum((s.dates for s in scores), Counts())
    tasks = sum((s.tasks for s in scores), TaskScore())
    out["legal refs F1"] = refs.f1
    out["dates F1"] = dates.f1
    for label, counts in (("assignments", tasks.assignments), ("all rows", tasks.rows)):
        out[f"tasks {label} P"] = counts.precision
        out[f"tasks {label} R"] = counts.recall
        out[f"tasks {label} F1"] = counts.f1
    out["period start (matched)"] = ratio(tasks.start_ok, tasks.matched)
    out["period end (matched)"] = ratio(tasks.end_ok, tasks.matched)
    out["lead (matched)"] = ratio(tasks.lead_ok, tasks.matched)
    out["lead, list split ignored"] = ratio(tasks.lead_folded_ok, tasks.matched)
    out["kind (matched)"] = ratio(tasks.kind_ok, tasks.matched)
    return out
