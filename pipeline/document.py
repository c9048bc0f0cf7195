"""The document object that every stage takes and returns.

A `Document` starts life in `ingest` as a path plus source facts, gains pages of text,
then a restored/normalised body, a layout (segmentation) and finally the extracted
entities.  The JSON written by `export` is `Document.to_output()`; the keys listed in
`OUTPUT_CONTRACT_KEYS` are read by other tools and must never be renamed.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"

PageMethod = Literal["text", "pdf-text", "ocr", "none"]


class Record(BaseModel):
    """Base of every model here: the written JSON always holds every field, so the JSON
    Schema (`output_schema`) marks fields with defaults as required too."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class Status(StrEnum):
    """Per-document verdict."""

    pending = "pending"
    ok = "ok"
    """Every stage ran; there may be warnings."""
    failed = "failed"
    """A stage raised; `errors` says which and why; nothing is exported for it."""


class StageError(Record):
    """One failure recorded on a document (the batch goes on)."""

    stage: str
    """Name of the stage function that raised (`ingest`, `segment`, …)."""
    kind: str
    """Exception class name, e.g. `CorruptPdfError`."""
    message: str
    """One readable line."""
    detail: str | None = None
    """The traceback of an `InternalError` (a bug of ours), for `-v`; None otherwise."""


class Source(Record):
    """Facts about the input file."""

    path: str
    sha256: str = ""
    media_type: str = ""
    """Sniffed from the content: `text/plain`, `text/markdown`, `application/pdf`, `image/png`…"""
    pages: int = 0
    size: int = 0


class PageOutput(Record):
    """What the JSON says of one page (its text is part of `text.body`)."""

    number: int
    """1-based page number."""
    method: PageMethod = "none"
    """How the text was obtained: `text` file, PDF `pdf-text` layer, `ocr`, or `none` yet."""
    confidence: float | None = None
    """Mean OCR word confidence 0–100 (OCR pages only)."""
    low_confidence_words: list[str] = Field(default_factory=list)
    tables: list[list[list[str]]] = Field(default_factory=list)
    """Tables found on the page (PDF), rows of cell strings."""


class PageField(Record):
    """A header field of a scanned page re-read as digits (`pipeline.ocr.fields`)."""

    name: Literal["number", "date"]
    text: str
    """As the page's text now carries it: `24/KH-UBND`, or the printed part only
    (`/KH-UBND`, `ngày tháng 01 năm 2026`) when the digits could not be read."""
    complete: bool
    """False when digits that belong in the field were unreadable and left out."""
    source: Literal["print", "ink", "gray", "none"]
    """`print`: the page's confident reading kept; `ink`: pen ink re-read alone;
    `gray`: the binarised crop re-read; `none`: nothing readable there."""
    confidence: float | None = None


class Page(PageOutput):
    """One page as the stages see it (a text file is one page)."""

    fields: list[PageField] = Field(default_factory=list)
    """The number and date fields of an OCR page as re-read (empty for other pages)."""

    text: str = ""
    """Lines of the page in reading order, joined by newlines."""
    needs_ocr: bool = False
    """Set by ingest when a PDF page has no usable text layer."""


class TextInfo(Record):
    """The document's text as it moves through the chain."""

    method: str = ""
    """Summary of page methods: `text`, `pdf-text`, `ocr` or `mixed`."""
    restored: bool = False
    """True when the restoration stage changed the text."""
    restore_kind: str = ""
    """What restoration ran: `diacritics` (missing marks), `garble` (English-model OCR),
    `ocr-marks` (marks of Vietnamese OCR checked), or empty when none ran."""
    restore_changed_tokens: int = 0
    restore_confidence: float | None = None
    garbled_score: float | None = None
    """Share of alphabetic tokens that are not valid Vietnamese syllables (0 = clean)."""
    body: str = ""
    """Full text after ingest, restoration and normalisation, in the document's own spelling."""


class Period(Record):
    """A time span named in the text (`Quý I năm 2026`)."""

    label: str
    """The phrase as written, or a label such as `Thường xuyên` that has no dates."""
    start: dt.date | None = None
    end: dt.date | None = None


class DateMention(Record):
    """A calendar date found in the text."""

    text: str
    date: dt.date
    line: int | None = None
    """0-based line in `text.body`."""


class LegalRef(Record):
    """A reference to another legal or administrative document."""

    kind: str
    """Luật, Nghị định, Nghị quyết, Chỉ thị, Kế hoạch, Quyết định, Thông tư…"""
    number: str | None = None
    """`41-CT/TW`, `98/2023/NĐ-CP` …; None for laws cited by name."""
    date: dt.date | None = None
    issuer: str | None = None
    """`Bộ Chính trị` from `… của Bộ Chính trị`."""
    text: str = ""
    """The whole mention as written."""


class Section(Record):
    """A node of the body tree: a part, a numbered section or a lettered item."""

    ref: str
    """Path of numbering markers, `II.1.a`; appendix table rows `PL.3`."""
    marker: str
    """Marker as normalised: `II`, `1`, `1.1`, `a`, `-`."""
    kind: Literal["part", "roman", "article", "number", "subnumber", "letter", "bullet", "appendix"]
    """`article` is a decision's `Điều 1.` (marker `Điều 1`, ref segment `Đ1`)."""
    heading: str
    """The heading or item text on the marker's line."""
    text: str = ""
    """Further lines that belong to this node but are not children."""
    line: int | None = None
    children: list[Section] = Field(default_factory=list)


class Table(Record):
    """A table (appendix or body) as rows of cells; the first row is the header when detected."""

    title: str = ""
    header: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    """Per row, the group heading it sits under (`I. NÂNG CAO NHẬN THỨC`), or `""`."""


class Appendix(Record):
    title: str
    text: str = ""
    tables: list[Table] = Field(default_factory=list)


class Signature(Record):
    authority: list[str] = Field(default_factory=list)
    """`TM. ỦY BAN NHÂN DÂN`, `KT. CHỦ TỊCH` …"""
    position: str | None = None
    name: str | None = None


class LayoutOutput(Record):
    """The layout as written to the JSON: everything but the body tree (`sections`)."""

    parent_body: str | None = None
    issuing_body: str | None = None
    national_title: bool = False
    """Quốc hiệu and Tiêu ngữ were found."""
    number_line: str | None = None
    place_date_line: str | None = None
    doc_type: str | None = None
    title: str | None = None
    preamble: list[str] = Field(default_factory=list)
    appendices: list[Appendix] = Field(default_factory=list)
    closing: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    signature: Signature = Field(default_factory=Signature)


class Layout(LayoutOutput):
    """What segmentation found, in document order (raw strings; extraction interprets them)."""

    sections: list[Section] = Field(default_factory=list)
    """The body tree; the JSON lifts it to the top-level `sections`."""


class Metadata(Record):
    doc_type: str | None = None
    number: str | None = None
    issuer: str | None = None
    place: str | None = None
    issue_date: dt.date | None = None
    title: str | None = None
    signer: str | None = None
    signer_position: str | None = None
    issuer_inferred: bool = False


class Task(Record):
    """One actionable item of the plan."""

    ref: str
    text: str
    period: Period | None = None
    lead: str | None = None
    dates: list[dt.date] = Field(default_factory=list)
    part: str | None = None
    """Heading of the part the task sits in (`NHIỆM VỤ CỤ THỂ`)."""
    source: Literal["body", "table", "organisation"] = "body"


class Document(Record):
    """The one object passed through the stages."""

    doc_id: str = ""
    """Stable id: the first 16 hex digits of the SHA-256 of the file's bytes."""
    status: Status = Status.pending
    source: Source
    pages: list[Page] = Field(default_factory=list)
    text: TextInfo = Field(default_factory=TextInfo)
    layout: Layout = Field(default_factory=Layout)
    metadata: Metadata = Field(default_factory=Metadata)
    legal_refs: list[LegalRef] = Field(default_factory=list)
    tasks: list[Task] = Field(default_factory=list)
    dates: list[DateMention] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    errors: list[StageError] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    """Seconds spent per stage (kept in the catalog, never in the JSON)."""

    def warn(self, message: str) -> None:
        """Record a warning once (stages may run twice on the same document)."""
        if message not in self.warnings:
            self.warnings.append(message)

    def collect_pages(self) -> None:
        """Set `text.body` (page texts in order, blank-line separated) and `text.method`
        (`text`, `pdf-text`, `ocr`, `mixed` or `none`) from the pages."""
        self.text.body = "\n\n".join(p.text.strip("\n") for p in self.pages if p.text.strip())
        methods = {p.method for p in self.pages if p.method != "none"}
        if not methods:
            self.text.method = "none"
        else:
            self.text.method = methods.pop() if len(methods) == 1 else "mixed"

    def to_output(self) -> dict:
        """The JSON-ready dict written per document (see `DocumentOutput`)."""
        return DocumentOutput(
            doc_id=self.doc_id,
            status=self.status,
            source=self.source,
            pages=self.pages,
            text=self.text,
            metadata=self.metadata,
            legal_refs=self.legal_refs,
            sections=self.layout.sections,
            tasks=self.tasks,
            dates=self.dates,
            warnings=self.warnings,
            errors=self.errors,
            layout=self.layout,
        ).model_dump(mode="json")


class DocumentOutput(Record):
    """One document as written to `OUT/json/<doc_id>.json`; its JSON Schema is `vnplan schema`.

    The same file processed twice gives the same JSON, byte for byte: nothing here depends
    on the run (timings and processing dates live in the catalog only), and page texts are
    not repeated beside `text.body`.  Subclass instances (`Page`, `Layout`) given to its
    fields are written as the declared output types.
    """

    model_config = ConfigDict(
        json_schema_serialization_defaults_required=True, title="vnplan document"
    )

    schema_version: Literal["1.0"] = SCHEMA_VERSION
    """Version of this output format; bumped when a key changes meaning."""
    doc_id: str
    status: Status
    source: Source
    pages: list[PageOutput]
    text: TextInfo
    metadata: Metadata
    legal_refs: list[LegalRef]
    sections: list[Section]
    """The body tree (parts, numbered sections, lettered items)."""
    tasks: list[Task]
    dates: list[DateMention]
    warnings: list[str]
    errors: list[StageError]
    layout: LayoutOutput


OUTPUT_CONTRACT_KEYS = (
    "schema_version",
    "doc_id",
    "source",
    "text",
    "metadata",
    "legal_refs",
    "sections",
    "tasks",
    "dates",
    "warnings",
)
