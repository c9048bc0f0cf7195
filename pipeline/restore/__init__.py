"""Stage 3: diacritic restoration of garbled or diacritic-less text.

`restore(doc, config)` is the stage; `restore_text(text, mode)` is what `vnplan restore`
prints.  Both keep the input's lines, whitespace and tokens exactly: only the letters of
syllables change (`Trién khai mdt s6` → `Triển khai một số`, `tang cuong` → `tăng cường`).
The model is a syllable trigram LM with an OCR noisy channel, and a small neural scorer
that rescores the uncertain syllables of stripped text (`models/README.md`).
"""

from __future__ import annotations

import logging

from pipeline.config import Config
from pipeline.document import Document, Page, RestoredToken
from pipeline.errors import ModelError
from pipeline.restore.decoder import Decoder, Result
from pipeline.restore.explain import LOW_CONFIDENCE, explain, explain_text, low_confidence
from pipeline.restore.model import RestoreModel, get_model
from pipeline.vietnamese import garble_score, garble_stats

__all__ = [
    "AUTO_THRESHOLD",
    "LOW_CONFIDENCE",
    "MODEL_VERSION",
    "garble_score",
    "restore",
    "restore_result",
    "restore_text",
    "correct_accents",
    "explain",
    "explain_text",
]

log = logging.getLogger(__name__)

MODEL_VERSION = "syllable-trigram-mkn-6-backward-neural-8"
"""Recorded by the catalog: bump when the model format or training data change."""

AUTO_THRESHOLD = 0.4
"""`auto` restores text scoring at least this.  Clean administrative text scores < 0.05,
stripped text ~1, Tesseract-eng garble 0.6-0.95 (see `benchmarks/bench_restore.py`)."""

GARBLE_SHARE = 0.04
"""Above this share of impossible words the text is treated as OCR garble, not merely
stripped: every word then goes through the OCR channel."""

KEEP_BONUS = 4.0
"""Log-odds for keeping an unmarked word of mostly accented text as written."""

_DECODERS: dict[int, Decoder] = {}


def _decoder(model: RestoreModel | None = None) -> Decoder:
    model = model or get_model()
    decoder = _DECODERS.get(id(model))
    if decoder is None or decoder.model is not model:
        _DECODERS.clear()
        decoder = _DECODERS[id(model)] = Decoder(model)
    return decoder


def restore_result(
    text: str, model: RestoreModel | None = None, decoder: Decoder | None = None
) -> Result:
    """Restore `text` unconditionally and report what changed (with `decoder`, that one
    instead of the process-wide decoder of `model`)."""
    stats = garble_stats(text)
    garbled = stats.words > 0 and stats.invalid / stats.words >= GARBLE_SHARE
    valid = stats.words - stats.invalid
    accented = valid > 0 and (valid - stats.plain) / valid >= 0.5
    return (decoder or _decoder(model)).restore(
        text, garbled=garbled, keep_bonus=KEEP_BONUS if accented and not garbled else 0.0
    )


def correct_accents(
    text: str, model: RestoreModel | None = None, decoder: Decoder | None = None
) -> Result:
    """Correct the marks of Tesseract-vie output (`phô` → `phố`); letters stay as read.

    Correct text is left alone: keeping a reading costs the channel almost nothing, so only
    a mark the language model finds clearly wrong in its context is changed.
    """
    return (decoder or _decoder(model)).restore(text, garbled=False, accents=True)


def restore_text(text: str, mode: str = "always", model: RestoreModel | None = None) -> str:
    """Restored `text` (`mode="auto"`: only when it looks garbled or diacritic-less;
    `mode="marks"`: the marks of Tesseract-vie output checked, see `correct_accents`).

    Example:
        >>> restore_text("tang cuong cong tac thi dua")
        'tăng cường công tác thi đua'
    """
    if mode == "never" or (mode == "auto" and garble_score(text) < AUTO_THRESHOLD):
        return text
    if mode == "marks":
        return correct_accents(text, model).text
    return restore_result(text, model).text


def restore(doc: Document, config: Config) -> Document:
    """Stage: restore the body when `config.restore` says so (see `AUTO_THRESHOLD`).

    Text that reads as Vietnamese already but came from a Vietnamese OCR model has its
    marks checked instead (`correct_accents`): Tesseract-vie drops or swaps marks on small
    or blurred glyphs, and a wrong `tổng`/`tống` would miss a task's keywords.
    """
    if config.restore == "never" or not doc.text.body.strip():
        return doc
    score = garble_score(doc.text.body)
    doc.text.garbled_score = score
    if config.restore == "auto" and score < AUTO_THRESHOLD:
        if _vietnamese_ocr(doc, config):
            _correct_ocr_marks(doc)
        return doc
    # A missing model raises ModelError, a setup problem (exit 3): garbled text written
    # out as if it were fine would be worse than no output.
    result = restore_result(doc.text.body)
    _record(doc, result, "garble" if result.garbled else "diacritics")
    reason = "text looked garbled" if score >= AUTO_THRESHOLD else "restoration requested"
    doc.warnings.append(
        f"{reason} (score {score:.2f}); restored {result.changed_tokens} tokens "
        f"(mean confidence {result.confidence or 0:.2f})"
    )
    log.info("%s: %s", doc.source.path, doc.warnings[-1])
    return doc


def _vietnamese_ocr(doc: Document, config: Config) -> bool:
    """Whether some page was OCR'd with a Vietnamese model."""
    languages = set(config.ocr_languages.split("+"))
    return "vie" in languages and any(page.method == "ocr" for page in doc.pages)


def _correct_ocr_marks(doc: Document) -> None:
    try:
        model = get_model()
    except ModelError as exc:
        log.info("%s: OCR marks not checked: %s", doc.source.path, exc)
        return
    if model.accents is None:
        return  # a model built without the accent channel
    result = correct_accents(doc.text.body, model)
    _record(doc, result, "ocr-marks")
    if result.changed_tokens:
        log.info(
            "%s: corrected the marks of %d OCR'd words", doc.source.path, result.changed_tokens
        )


def _record(doc: Document, result: Result, kind: str) -> None:
    if result.text != doc.text.body:
        doc.text.body = result.text
        doc.text.restored = True
    doc.text.restore_kind = kind
    doc.text.restore_changed_tokens = result.changed_tokens
    doc.text.restore_confidence = result.confidence
    unsure = low_confidence(result)
    doc.text.restore_low_confidence_tokens = len(unsure)
    pages = _page_of_line(doc)
    for page in doc.pages:
        page.low_confidence_tokens = []
    for slot in unsure:
        page = pages[slot.line] if pages and slot.line < len(pages) else None
        if page is None:
            continue
        page.low_confidence_tokens.append(
            RestoredToken(
                line=slot.line,
                column=slot.column,
                read=slot.read,
                text=slot.out,
                confidence=round(slot.confidence, 3),
            )
        )


def _page_of_line(doc: Document) -> list[Page | None]:
    """The page each line of `doc.text.body` came from, as `Document.collect_pages` joins
    them (None for the blank lines between pages); empty when the body does not match the
    pages (a text set by other means), so that no token is put on a wrong page."""
    out: list[Page | None] = []
    for page in doc.pages:
        text = page.text.strip("\n")
        if not text.strip():
            continue
        if out:
            out.append(None)
        out.extend([page] * (text.count("\n") + 1))
    return out if len(out) == doc.text.body.count("\n") + 1 else []
