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

PageMethod = Literal["text", "docx", "pdf-text", "ocr", "none"]
Encoding = Literal["unicode", "tcvn3", "vni", "mixed"]


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
    encoding: Encoding = "unicode"
    """The character set the text was converted from: `unicode`, or the pre-Unicode
    `tcvn3` (ABC, `.VnTime` fonts) or `vni` (`VNI-Times`) when any part was in it;
    `mixed` when parts were in both."""


class RestoredToken(Record):
    """A word restoration wrote but was unsure of, for review (`Page.low_confidence_tokens`)."""

    line: int
    """0-based line in `text.body`."""
    column: int
    """0-based character offset of the word in that line of `text.body`."""
    read: str
    """The word as the input had it (`Truong`, `ctia`)."""
    text: str
    """The word as restored (`Trưởng`, `của`)."""
    confidence: float
    """The restorer's probability that `text` is right (calibrated: see
    `pipeline/restore/explain.py`); listed when below `restore.LOW_CONFIDENCE`."""


class PageOutput(Record):
    """What the JSON says of one page (its text is part of `text.body`)."""

    number: int
    """1-based page number."""
    method: PageMethod = "none"
    """How the text was obtained: `text` file, Word `docx`, PDF `pdf-text` layer, `ocr`, or
    `none` yet."""
    confidence: float | None = None
    """Mean OCR word confidence 0–100 (OCR pages only)."""
    low_confidence_words: list[str] = Field(default_factory=list)
    fused_words: int = 0
    """OCR words corrected by the page's garbled English-model text layer
    (`pipeline.ocr.fusion`; 0 when the page had no such layer or nothing changed)."""
    low_confidence_tokens: list[RestoredToken] = Field(default_factory=list)
    """Words of this page that restoration wrote with a confidence below
    `restore.LOW_CONFIDENCE` (for review)."""
    tables: list[list[list[str]]] = Field(default_factory=list)
    """Tables found on the page (PDF, DOCX), rows of cell strings."""
    encoding: Encoding = "unicode"
    """The character set this page's text was converted from (see `Source.encoding`)."""
    furniture: list[str] = Field(default_factory=list)
    """Running headers and footers (DOCX), kept out of `text`."""


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
    layer_words: list[str] = Field(default_factory=list)
    """The words of a garbled text layer set aside for OCR (an English-model OCR run),
    in the layer's reading order: the OCR stage fuses them with its own reading."""


class TextInfo(Record):
    """The document's text as it moves through the chain."""

    method: str = ""
    """Summary of page methods: `text`, `docx`, `pdf-text`, `ocr` or `mixed`."""
    restored: bool = False
    """True when the restoration stage changed the text."""
    restore_kind: str = ""
    """What restoration ran: `diacritics` (missing marks), `garble` (English-model OCR),
    `ocr-marks` (marks of Vietnamese OCR checked), or empty when none ran."""
    restore_changed_tokens: int = 0
    restore_confidence: float | None = None
    """Mean confidence of the restored words (calibrated probabilities, see
    `pipeline/restore/explain.py`); None when restoration did not run."""
    restore_low_confidence_tokens: int | None = None
    """How many restored words are below `restore.LOW_CONFIDENCE` (listed per page in
    `Page.low_confidence_tokens`); None when restoration did
    not run."""
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
    kind: Literal[
        "part",
        "chapter",
        "roman",
        "article",
        "number",
        "subnumber",
        "letter",
        "bullet",
        "period",
        "appendix",
    ]
    """`article` is a decision's `Điều 1.` (marker `Điều 1`, ref segment `Đ1`); `chapter` a
    regulation's `Chương II` (marker `Chương II`, ref segment `C2`); `period` an unnumbered
    time heading such as `Tháng 3/2026:` (marker empty, ref segment `T1`, `T2`…)."""
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
    refs: list[str] = Field(default_factory=list)
    """Per row, its ref in the body tree (`PL.3`, `PL2.5`); empty for tables outside it."""
    task_column: int | None = None
    """Index of the column that names the work (`Nội dung nhiệm vụ`), when the header says."""
    lead_column: int | None = None
    """Index of the lead unit's column (`Cơ quan chủ trì`, `Đơn vị chủ trì`)."""
    period_column: int | None = None
    """Index of the time column (`Thời gian thực hiện`, `Thời hạn hoàn thành`)."""
    is_task_table: bool = False
    """True when the header names work or a lead column: each row is then an assignment."""


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
    subject_line: str | None = None
    """A letter's `V/v …` line under its number."""
    doc_type: str | None = None
    title: str | None = None
    preamble: list[str] = Field(default_factory=list)
    appendices: list[Appendix] = Field(default_factory=list)
    attachment: str | None = None
    """Type and title of a document printed after the signature (a decision's `QUY ĐỊNH:
    …`); its sections are part of `sections`."""
    closing: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    signature: Signature = Field(default_factory=Signature)


class Layout(LayoutOutput):
    """What segmentation found, in document order (raw strings; extraction interprets them)."""

    sections: list[Section] = Field(default_factory=list)
    """The body tree; the JSON lifts it to the top-level `sections`."""
    body_tables: list[Table] = Field(default_factory=list)
    """Tables printed inside the body (not in an appendix): `title` is the heading of the
    section they sit in, `refs` that section's ref plus the row number (`IV.1`, `IV.2`)."""


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
    issuer_parent: str | None = None
    """The line above the issuer in its block (`Ủy ban nhân dân tỉnh Tuyên Quang`)."""
    signer_authority: str | None = None
    """The signing prefix of the signer's line: `TM.`, `KT.`, `Q.`, `TL.`, `TUQ.`."""
    number_complete: bool = True
    """False when the number's digits are blank or unreadable (only the code is printed)."""
    plan_period: Period | None = None
    """The window the whole plan covers (`Thời gian thực hiện: từ nay đến hết năm 2025`)."""
    signed_at: dt.datetime | None = None
    """From an e-office digital-signature stamp (`Thời gian ký: 26/11/2024 10:40:48`)."""
    signed_by: str | None = None
    """The stamp's `Ký bởi: …` (the signing body or person)."""


class Task(Record):
    """One row of the plan's work (see CONVENTIONS.md, *Tasks*)."""

    ref: str
    text: str
    kind: Literal["assignment", "activity"] = "assignment"
    """`assignment`: work given to someone (a lead, a time, a table row, a duty in TỔ CHỨC
    THỰC HIỆN); `activity`: a content or measure item with neither unit nor time."""
    period: Period | None = None
    lead: str | None = None
    """The units in charge as printed, joined with `; ` (None when the text names none)."""
    leads: list[str] = Field(default_factory=list)
    """The units in charge, one per entry."""
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
