"""Full-text search over the catalog, with or without diacritics (`vnplan search`).

Every title, task and body of a document is a row of `search_text` (`rows.SEARCH_TEXT`),
written by `Catalog.record` in the same transaction as the document.  The row holds the
text twice: `text` in canonical spelling and `folded`, its accent-free twin
(`rows.fold`: `Định` → `dinh`; FTS5's `remove_diacritics` would leave đ alone).  An
FTS5 table over both (`search_text_fts`, set up by sqlite-utils, kept in step by its
triggers) answers a query on both columns at once: the query as typed against `text`,
its folded form against `folded`, with bm25 weighing a `text` hit higher, so the
spelling the user typed ranks first and every other spelling still matches.

`reindex` rebuilds the index from the stored JSON (`vnplan search --reindex`); the
catalog's migration calls it once for documents recorded before the index existed.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

import sqlite_utils

from pipeline.document import Document
from pipeline.errors import VnplanError
from pipeline.output.rows import SEARCH_TEXT, fold
from pipeline.vietnamese import canonical

FTS_TABLE = f"{SEARCH_TEXT.name}_fts"

TOKENIZER = "unicode61 remove_diacritics 0"
"""Case-folding tokens that keep their marks: `text` then tells `tăng` from `tầng`, and
`folded` has no marks to remove."""

TEXT_WEIGHT = 10.0
"""bm25 weight of a hit in `text` (the spelling as typed) …"""
FOLDED_WEIGHT = 1.0
"""… against one in `folded` only: an exact-diacritics match outranks any folded one."""

SNIPPET_CHARS = 70
"""Characters of context printed on each side of the first match."""

DEFAULT_LIMIT = 20
"""Documents listed when `--limit` is not given."""

_WORD = re.compile(r"\w+")


FOLD_FUNCTION = "vnplan_fold"
"""SQL name of `rows.fold`, for filters that ignore case and diacritics (Datasette too)."""


def add_fold_function(conn: sqlite3.Connection) -> None:
    """Make `vnplan_fold(text)` available in SQL on this connection."""
    conn.create_function(FOLD_FUNCTION, 1, fold, deterministic=True)


class SearchError(VnplanError):
    """A query that cannot be run (nothing to search for)."""


@dataclass(frozen=True)
class Hit:
    """One document that matches, with its best-ranked passage."""

    doc_id: str
    number: str | None
    title: str | None
    kind: str
    """Where the best match is: `title`, `task` or `body`."""
    ref: str | None
    """The task's ref when `kind` is `task`."""
    snippet: str
    """The matching passage around its first match, the match in `[…]`."""
    score: float
    """bm25 (lower is better)."""


# --- the index --------------------------------------------------------------------------


def create_index(conn: sqlite3.Connection) -> None:
    """Create `search_text` from `rows.SEARCH_TEXT` and its FTS5 table with triggers.

    Idempotent: a migration killed half-way (sqlite-utils commits as it goes) is simply
    run again.
    """
    db = sqlite_utils.Database(conn)
    columns = {"sha256": str, "seq": int, **{c.name: str for c in SEARCH_TEXT.columns}}
    db[SEARCH_TEXT.name].create(
        columns,
        pk=("sha256", "seq"),
        foreign_keys=[("sha256", "documents", "sha256")],
        if_not_exists=True,
    )
    db[SEARCH_TEXT.name].enable_fts(
        ["text", "folded"],
        fts_version="FTS5",
        tokenize=TOKENIZER,
        create_triggers=True,
        replace=True,
    )


def _document(output: dict) -> Document:
    """A document back from its stored JSON (the parts the index reads)."""
    return Document.model_validate({k: v for k, v in output.items() if k in Document.model_fields})


def reindex(conn: sqlite3.Connection) -> int:
    """Rebuild `search_text` and its FTS table from the stored JSON; returns the rows indexed.

    One transaction: readers see the old index or the new one.
    """
    names = ", ".join(("sha256", "seq", *SEARCH_TEXT.names))
    marks = ", ".join("?" * (len(SEARCH_TEXT.names) + 2))
    count = 0
    with conn:
        conn.execute(f"DELETE FROM {SEARCH_TEXT.name}")
        outputs = conn.execute(
            "SELECT sha256, output FROM documents WHERE status = 'ok' AND output IS NOT NULL"
        ).fetchall()
        for sha, output in outputs:
            doc = _document(json.loads(output))
            rows = SEARCH_TEXT.rows(doc)
            conn.executemany(
                f"INSERT INTO {SEARCH_TEXT.name} ({names}) VALUES ({marks})",
                [(sha, seq, *row) for seq, row in enumerate(rows)],
            )
            count += len(rows)
        conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    return count


# --- querying ---------------------------------------------------------------------------


def match_expression(query: str) -> str:
    """The FTS5 MATCH for a user's query: every word, as typed in `text` or folded in `folded`.

    Words are quoted, so FTS5 operators in a query (`-`, `*`, `AND`) are plain words.

    Raises:
        SearchError: the query has no word in it.
    """
    typed = _WORD.findall(canonical(query).lower())
    if not typed:
        raise SearchError(f"nothing to search for in {query!r}: give at least one word")
    folded = _WORD.findall(fold(query))

    def words(tokens: list[str]) -> str:
        return " ".join(f'"{t}"' for t in tokens)

    return f"(text : ({words(typed)})) OR (folded : ({words(folded)}))"


def snippet(text: str, query: str, width: int = SNIPPET_CHARS) -> str:
    """The passage around the first word of `query` found in `text`, matches in `[…]`.

    Matching is on the folded text; as folding keeps one character per character of
    canonical Vietnamese text (NFC, single spaces), the offsets mark the original spelling.
    """
    text = canonical(text)
    folded = fold(text)
    if len(folded) != len(text):  # a character folding changed the length: show folded
        text = folded
    words = sorted(set(_WORD.findall(fold(query))), key=len, reverse=True)
    if not words:
        return text[: 2 * width]
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b")
    spans = _merge_adjacent([m.span() for m in pattern.finditer(folded)], folded)
    if not spans:
        return text[: 2 * width].strip()
    start = max(0, spans[0][0] - width)
    end = min(len(text), spans[0][1] + width)
    out, at = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += [text[at:a], "[", text[a:b], "]"]
        at = b
    out.append(text[at:end])
    prefix = "…" if start else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out).strip() + suffix


def _merge_adjacent(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join matches separated only by spaces, so `tăng cường` is marked as one phrase."""
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and not text[merged[-1][1] : a].strip():
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


@dataclass(frozen=True)
class Filters:
    """Narrow a search; every text filter ignores diacritics and case."""

    doc_type: str | None = None
    """Part of the type heading (`ke hoach`)."""
    issuer: str | None = None
    """Part of the issuer's name."""
    year: int | None = None
    """Year of the issue date."""
    lead: str | None = None
    """Part of a task's lead unit: only task passages of that unit match."""


def search(
    conn: sqlite3.Connection,
    query: str,
    filters: Filters | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[Hit]:
    """The documents matching `query`, best first, each with its best passage.

    Failed and superseded documents are left out.

    Raises:
        SearchError: the query has no word in it.
    """
    filters = filters or Filters()
    add_fold_function(conn)
    where, params = ["d.status = 'ok'", "d.superseded_by IS NULL"], [match_expression(query)]
    for column, value in (("d.doc_type", filters.doc_type), ("d.issuer", filters.issuer)):
        if value:
            where.append(f"vnplan_fold({column}) LIKE ?")
            params.append(f"%{fold(value)}%")
    if filters.year is not None:
        where.append("substr(d.issue_date, 1, 4) = ?")
        params.append(f"{filters.year:04d}")
    if filters.lead:
        where.append(
            "s.kind = 'task' AND EXISTS (SELECT 1 FROM tasks t WHERE t.sha256 = s.sha256"
            " AND t.ref IS s.ref AND vnplan_fold(t.lead) LIKE ?)"
        )
        params.append(f"%{fold(filters.lead)}%")
    sql = f"""
        WITH hits AS (
            SELECT s.doc_id, d.number, d.title, s.kind, s.ref, s.text,
                   bm25({FTS_TABLE}, {TEXT_WEIGHT}, {FOLDED_WEIGHT}) AS score
            FROM {FTS_TABLE} f
            JOIN {SEARCH_TEXT.name} s ON s.rowid = f.rowid
            JOIN documents d ON d.sha256 = s.sha256
            WHERE {FTS_TABLE} MATCH ? AND {" AND ".join(where)}
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY doc_id ORDER BY score) AS n FROM hits
        )
        SELECT doc_id, number, title, kind, ref, text, score FROM ranked
        WHERE n = 1 ORDER BY score, doc_id LIMIT ?
    """
    try:
        rows = conn.execute(sql, (*params, limit)).fetchall()
    except sqlite3.OperationalError as exc:
        raise SearchError(f"cannot search {query!r}: {exc}") from exc
    return [Hit(r[0], r[1], r[2], r[3], r[4], snippet(r[5], query), round(r[6], 4)) for r in rows]


def format_hit(hit: Hit) -> str:
    """Two lines for the terminal: number and title, then where it matched and the snippet."""
    where = f"task {hit.ref}" if hit.kind == "task" and hit.ref else hit.kind
    head = f"{hit.number or '(no number)'}  {hit.title or '(no title)'}  [{hit.doc_id}]"
    return f"{head}\n    {where}: {hit.snippet}"
