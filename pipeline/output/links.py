"""Links between the documents of a catalog: what a reference points to, what is one document.

- **target**: a legal reference whose number matches a current document of the catalog
  (numbers compared without spaces, case or diacritics), and whose issuer and date agree
  with it where the reference gives them, gets `legal_refs.target_doc_id`; a reference
  that could be two different documents (the same number from two issuers) gets none.
- **same_as**: documents with the same number, issuer and issue date but different bytes
  (the same plan ingested as Markdown, as a scan and as a PDF) are versions of one
  document.  Each gets `documents.same_as` (the other versions' doc_ids) and
  `documents.canonical_doc_id`: the version to use, the one whose text is most reliable
  (`METHOD_RANK`), then the one with fewest warnings.  A document with no other version
  is its own canonical one.  References point at the canonical version.

`update_links` runs inside `Catalog.record`'s transaction and only touches the rows that
share a number with the document just stored (indexed `number_key` columns), so a commit
stays cheap however large the catalog; `relink` recomputes everything (the migration).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict

from pipeline.extract.metadata import SUFFIX_BODIES
from pipeline.output.rows import LIST_SEPARATOR, fold

METHOD_RANK = {"text": 0, "docx": 0, "pdf-text": 1, "mixed": 2, "ocr": 3}
"""Which version's text to trust: born-digital text, a PDF's text layer, then OCR."""
UNKNOWN_RANK = 4
"""Text methods not in `METHOD_RANK` (a new reader) rank after OCR until placed."""

_CURRENT = "status = 'ok' AND superseded_by IS NULL"
_ABBREVIATIONS = {fold(code): fold(body) for code, body in SUFFIX_BODIES.items()}


def number_key(number: str | None) -> str | None:
    """A number as compared: no spaces, lower case, no diacritics (`24 /KH-UBND` → `24/kh-ubnd`)."""
    if not number:
        return None
    key = re.sub(r"\s+", "", fold(number)).replace("–", "-")
    return key or None


def issuer_words(issuer: str | None) -> str:
    """An issuer as compared: folded, abbreviations spelled out (`UBND tỉnh` → `uy ban nhan
    dan tinh`)."""
    words = [_ABBREVIATIONS.get(w, w) for w in re.findall(r"\w+", fold(issuer))]
    return " ".join(words)


def issuers_agree(cited: str | None, issuer: str | None) -> bool:
    """A reference's issuer agrees with a document's when either is unknown or one
    contains the other (`Hội đồng nhân dân thành phố` ⊂ `… thành phố Hải Phòng`)."""
    a, b = issuer_words(cited), issuer_words(issuer)
    return not a or not b or a in b or b in a


# --- keys --------------------------------------------------------------------------------


def _set_keys(conn: sqlite3.Connection, sha: str) -> None:
    """Store the number keys of one document and of its references."""
    row = conn.execute("SELECT number FROM documents WHERE sha256 = ?", (sha,)).fetchone()
    conn.execute(
        "UPDATE documents SET number_key = ? WHERE sha256 = ?",
        (number_key(row[0]) if row else None, sha),
    )
    refs = conn.execute("SELECT seq, number FROM legal_refs WHERE sha256 = ?", (sha,)).fetchall()
    conn.executemany(
        "UPDATE legal_refs SET number_key = ? WHERE sha256 = ? AND seq = ?",
        [(number_key(number), sha, seq) for seq, number in refs],
    )


# --- versions of one document -----------------------------------------------------------


def _rank(row: sqlite3.Row | tuple) -> tuple:
    _doc_id, _issuer, _date, method, warnings = row[:5]
    return (
        METHOD_RANK.get(method or "", UNKNOWN_RANK),
        len(json.loads(warnings or "[]")),
        _doc_id,
    )


def _refresh_versions(conn: sqlite3.Connection, key: str) -> None:
    """Recompute `same_as` and `canonical_doc_id` of every document numbered `key`."""
    conn.execute(
        "UPDATE documents SET same_as = NULL, canonical_doc_id = doc_id WHERE number_key = ?",
        (key,),
    )
    rows = conn.execute(
        "SELECT doc_id, issuer, issue_date, text_method, warnings FROM documents"
        f" WHERE number_key = ? AND {_CURRENT}",
        (key,),
    ).fetchall()
    groups: dict[tuple, list] = defaultdict(list)
    for row in rows:
        if row[2]:  # without a date, one number may name two documents: never merged
            groups[(issuer_words(row[1]), row[2])].append(row)
    for members in groups.values():
        if len(members) < 2:
            continue
        canonical = min(members, key=_rank)[0]
        for member in members:
            others = [m[0] for m in members if m[0] != member[0]]
            conn.execute(
                "UPDATE documents SET same_as = ?, canonical_doc_id = ? WHERE doc_id = ?",
                (LIST_SEPARATOR.join(sorted(others)), canonical, member[0]),
            )


# --- references -------------------------------------------------------------------------


def _refresh_targets(conn: sqlite3.Connection, key: str) -> None:
    """Recompute `target_doc_id` of every reference numbered `key`."""
    candidates = conn.execute(
        "SELECT doc_id, issuer, issue_date, canonical_doc_id FROM documents"
        f" WHERE number_key = ? AND {_CURRENT}",
        (key,),
    ).fetchall()
    refs = conn.execute(
        "SELECT sha256, seq, doc_id, issuer, date FROM legal_refs WHERE number_key = ?", (key,)
    ).fetchall()
    updates = []
    for sha, seq, citing, issuer, date in refs:
        targets = {
            canonical or doc_id
            for doc_id, doc_issuer, issue_date, canonical in candidates
            if doc_id != citing
            and issuers_agree(issuer, doc_issuer)
            and (not date or not issue_date or date == issue_date)
        }
        updates.append((targets.pop() if len(targets) == 1 else None, sha, seq))
    conn.executemany(
        "UPDATE legal_refs SET target_doc_id = ? WHERE sha256 = ? AND seq = ?", updates
    )


# --- entry points -----------------------------------------------------------------------


def _others_links(conn: sqlite3.Connection, sha: str, keys: list[str]) -> list[tuple]:
    """The link columns of the documents numbered or cited by `keys`, other than `sha`."""
    marks = ", ".join("?" * len(keys))
    return conn.execute(
        "SELECT 'd', doc_id, same_as, canonical_doc_id FROM documents"
        f" WHERE number_key IN ({marks}) AND sha256 != ?"
        " UNION ALL SELECT 'r', sha256, seq, target_doc_id FROM legal_refs"
        f" WHERE number_key IN ({marks}) AND sha256 != ? ORDER BY 1, 2, 3",
        (*keys, sha, *keys, sha),
    ).fetchall()


def update_links(conn: sqlite3.Connection, sha: str) -> bool:
    """Bring the links up to date after document `sha` was stored (in its transaction).

    Returns whether a row of another document changed (its `same_as`, canonical version
    or a reference's target): the exports that already hold it must be rewritten.
    """
    before = conn.execute(
        "SELECT DISTINCT number_key FROM documents WHERE (sha256 = ? OR superseded_by ="
        " (SELECT doc_id FROM documents WHERE sha256 = ?)) AND number_key IS NOT NULL",
        (sha, sha),
    ).fetchall()
    _set_keys(conn, sha)
    keys = {k for (k,) in before}
    keys |= {
        k
        for (k,) in conn.execute(
            "SELECT number_key FROM documents WHERE sha256 = ? AND number_key IS NOT NULL"
            " UNION SELECT number_key FROM legal_refs WHERE sha256 = ? AND number_key IS NOT NULL",
            (sha, sha),
        )
    }
    ordered = sorted(keys)
    before_links = _others_links(conn, sha, ordered) if ordered else []
    for key in ordered:
        _refresh_versions(conn, key)
    for key in ordered:
        _refresh_targets(conn, key)
    return bool(ordered) and _others_links(conn, sha, ordered) != before_links


def relink(conn: sqlite3.Connection) -> None:
    """Recompute every key and link of the catalog (a migration, or after a repair)."""
    conn.execute("UPDATE documents SET canonical_doc_id = doc_id WHERE canonical_doc_id IS NULL")
    for (sha,) in conn.execute("SELECT sha256 FROM documents").fetchall():
        _set_keys(conn, sha)
    keys = [k for (k,) in conn.execute("SELECT DISTINCT number_key FROM documents")]
    for key in keys:
        if key:
            _refresh_versions(conn, key)
    ref_keys = [k for (k,) in conn.execute("SELECT DISTINCT number_key FROM legal_refs")]
    for key in ref_keys:
        if key:
            _refresh_targets(conn, key)
