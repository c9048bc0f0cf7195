"""The SQLite catalog (`OUT/catalog.sqlite`): the source of truth for a run's results.

Documents are keyed by the SHA-256 of their bytes, so the same content under two names
is one document with two rows in `paths`.  Each document is written in one transaction
(`with conn:`), so a kill leaves either the old or the new state, never a mix.  The
JSON and CSV files under `OUT/` are regenerated from here (`pipeline.output.export`).

Schema changes are plain functions listed in `MIGRATIONS`; each one's name is recorded
in `_migrations` when applied, so an old catalog is upgraded in place on open.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import __version__
from pipeline.document import Document, Status
from pipeline.errors import CatalogError

log = logging.getLogger(__name__)

CATALOG_NAME = "catalog.sqlite"


def model_version() -> str:
    """Version of the restoration model, or "none" while the restore stage has no model."""
    try:
        import pipeline.restore as restore

        return str(getattr(restore, "MODEL_VERSION", "none"))
    except Exception:  # noqa: BLE001 - a broken model import must not stop cataloguing
        return "none"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# --- migrations -------------------------------------------------------------------------


def _m001_initial(conn: sqlite3.Connection) -> None:
    """Documents, the paths they were seen under, pages and the extracted entities."""
    conn.executescript(
        """
        CREATE TABLE documents (
            sha256 TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL,
            status TEXT NOT NULL,
            error TEXT,
            path TEXT NOT NULL,
            media_type TEXT,
            pages INTEGER,
            size INTEGER,
            doc_type TEXT, number TEXT, issuer TEXT, place TEXT, issue_date TEXT,
            title TEXT, signer TEXT, signer_position TEXT,
            text_method TEXT,
            restored INTEGER,
            n_tasks INTEGER,
            n_legal_refs INTEGER,
            warnings TEXT,          -- JSON list
            timings TEXT,           -- JSON {stage: seconds}
            seconds REAL,
            pipeline_version TEXT NOT NULL,
            model_version TEXT NOT NULL,
            processed_at TEXT NOT NULL,
            output TEXT             -- the full per-document JSON (ok documents)
        );
        CREATE TABLE paths (
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL REFERENCES documents(sha256) ON DELETE CASCADE,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (path, sha256)
        );
        CREATE INDEX paths_sha ON paths(sha256);
        CREATE TABLE pages (
            sha256 TEXT NOT NULL REFERENCES documents(sha256) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            method TEXT,
            confidence REAL,
            PRIMARY KEY (sha256, number)
        );
        CREATE TABLE tasks (
            sha256 TEXT NOT NULL REFERENCES documents(sha256) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            ref TEXT, part TEXT, text TEXT,
            period_label TEXT, period_start TEXT, period_end TEXT,
            lead TEXT, dates TEXT, source TEXT,
            PRIMARY KEY (sha256, seq)
        );
        CREATE TABLE legal_refs (
            sha256 TEXT NOT NULL REFERENCES documents(sha256) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT, number TEXT, date TEXT, issuer TEXT, text TEXT,
            PRIMARY KEY (sha256, seq)
        );
        CREATE TABLE dates (
            sha256 TEXT NOT NULL REFERENCES documents(sha256) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            text TEXT, date TEXT, line INTEGER,
            PRIMARY KEY (sha256, seq)
        );
        """
    )


def _m002_unreadable(conn: sqlite3.Connection) -> None:
    """Inputs that could not even be hashed (directories, no permission): kept by path."""
    conn.execute(
        "CREATE TABLE unreadable (path TEXT PRIMARY KEY, error TEXT NOT NULL, seen_at TEXT NOT NULL)"
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_m001_initial, _m002_unreadable)
"""Applied in order; never edit or reorder a released one, append a new function instead."""


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded in `_migrations`; returns their names."""
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    done = {row[0] for row in conn.execute("SELECT name FROM _migrations")}
    applied = []
    for migration in MIGRATIONS:
        name = migration.__name__.lstrip("_")
        if name in done:
            continue
        with conn:  # a migration and its record commit together
            migration(conn)
            conn.execute("INSERT INTO _migrations VALUES (?, ?)", (name, _now()))
        applied.append(name)
    return applied


# --- the catalog ------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What the catalog knows about one content hash."""

    sha256: str
    doc_id: str
    status: str
    error: str | None
    path: str
    pipeline_version: str
    paths: tuple[str, ...]


class Catalog:
    """A thin wrapper over one SQLite connection (only the main process writes)."""

    def __init__(self, path: Path) -> None:
        """Open (creating and migrating as needed) the catalog at `path`."""
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, timeout=30)
            self.conn.row_factory = sqlite3.Row
            # WAL: readers (pandas, sqlite3 shell) never block the writer, and a crash
            # mid-write is rolled back on the next open.
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            migrate(self.conn)
        except sqlite3.DatabaseError as exc:
            raise CatalogError(
                f"cannot open the catalog {self.path}: {exc} (move the file away to start afresh)"
            ) from exc

    @classmethod
    def in_dir(cls, out_dir: Path) -> Catalog:
        """The catalog of an output folder."""
        return cls(Path(out_dir) / CATALOG_NAME)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --

    def get(self, sha256: str) -> Entry | None:
        """The entry for a content hash, or None."""
        row = self.conn.execute(
            "SELECT sha256, doc_id, status, error, path, pipeline_version FROM documents"
            " WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        if row is None:
            return None
        paths = tuple(
            r[0]
            for r in self.conn.execute(
                "SELECT path FROM paths WHERE sha256 = ? ORDER BY first_seen, path", (sha256,)
            )
        )
        return Entry(**dict(row), paths=paths)

    def is_done(self, sha256: str, version: str = __version__) -> bool:
        """True when the content was processed `ok` by this pipeline version (skip it)."""
        row = self.conn.execute(
            "SELECT 1 FROM documents WHERE sha256 = ? AND status = ? AND pipeline_version = ?",
            (sha256, Status.ok.value, version),
        ).fetchone()
        return row is not None

    def outputs(self) -> Iterator[dict]:
        """The stored per-document JSON of every `ok` document, in doc_id order."""
        for (text,) in self.conn.execute(
            "SELECT output FROM documents WHERE status = ? AND output IS NOT NULL ORDER BY doc_id",
            (Status.ok.value,),
        ):
            yield json.loads(text)

    def output(self, sha256: str) -> dict | None:
        """The stored JSON of one document (None if it failed or is unknown)."""
        row = self.conn.execute(
            "SELECT output FROM documents WHERE sha256 = ? AND output IS NOT NULL", (sha256,)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """Run a read query (export uses this to build the CSV tables)."""
        return self.conn.execute(sql, params).fetchall()

    def count(self, status: str | None = None) -> int:
        """Number of documents, optionally with a given status."""
        if status is None:
            return self.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        return self.conn.execute(
            "SELECT count(*) FROM documents WHERE status = ?", (status,)
        ).fetchone()[0]

    # -- writing (each method is one transaction) --

    def record(self, doc: Document, seconds: float | None = None) -> None:
        """Store a processed document, its path, pages and entities in one transaction.

        A document seen before (same hash) is replaced; its known paths are kept.
        """
        sha = doc.source.sha256
        if not sha:
            raise CatalogError(f"{doc.source.path}: a document without a hash cannot be stored")
        ok = doc.status == Status.ok
        meta = doc.metadata
        error = "; ".join(f"{e.kind}: {e.message}" for e in doc.errors) or None
        now = _now()
        values = {
            "sha256": sha,
            "doc_id": doc.doc_id or sha[:16],
            "status": doc.status.value,
            "error": error,
            "path": doc.source.path,
            "media_type": doc.source.media_type,
            "pages": doc.source.pages,
            "size": doc.source.size,
            "doc_type": meta.doc_type,
            "number": meta.number,
            "issuer": meta.issuer,
            "place": meta.place,
            "issue_date": meta.issue_date.isoformat() if meta.issue_date else None,
            "title": meta.title,
            "signer": meta.signer,
            "signer_position": meta.signer_position,
            "text_method": doc.text.method,
            "restored": int(doc.text.restored),
            "n_tasks": len(doc.tasks),
            "n_legal_refs": len(doc.legal_refs),
            "warnings": json.dumps(doc.warnings, ensure_ascii=False),
            "timings": json.dumps(doc.timings),
            "seconds": seconds if seconds is not None else round(sum(doc.timings.values()), 4),
            "pipeline_version": __version__,
            "model_version": model_version(),
            "processed_at": now,
            "output": json.dumps(doc.to_output(), ensure_ascii=False) if ok else None,
        }
        columns = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                # Child rows go first so a re-processed document never keeps stale entities.
                for table in ("pages", "tasks", "legal_refs", "dates"):
                    self.conn.execute(f"DELETE FROM {table} WHERE sha256 = ?", (sha,))
                self.conn.execute(
                    f"INSERT INTO documents ({columns}) VALUES ({marks})"
                    f" ON CONFLICT(sha256) DO UPDATE SET "
                    + ", ".join(f"{k} = excluded.{k}" for k in values if k != "sha256"),
                    values,
                )
                self._add_path(sha, doc.source.path, now)
                self.conn.executemany(
                    "INSERT INTO pages VALUES (?, ?, ?, ?)",
                    [(sha, p.number, p.method, p.confidence) for p in doc.pages],
                )
                self.conn.executemany(
                    "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            sha,
                            i,
                            t.ref,
                            t.part,
                            t.text,
                            t.period.label if t.period else None,
                            _iso(t.period.start) if t.period else None,
                            _iso(t.period.end) if t.period else None,
                            t.lead,
                            ";".join(d.isoformat() for d in t.dates),
                            t.source,
                        )
                        for i, t in enumerate(doc.tasks)
                    ],
                )
                self.conn.executemany(
                    "INSERT INTO legal_refs VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        (sha, i, r.kind, r.number, _iso(r.date), r.issuer, r.text)
                        for i, r in enumerate(doc.legal_refs)
                    ],
                )
                self.conn.executemany(
                    "INSERT INTO dates VALUES (?, ?, ?, ?, ?)",
                    [(sha, i, d.text, d.date.isoformat(), d.line) for i, d in enumerate(doc.dates)],
                )
                self.conn.execute("DELETE FROM unreadable WHERE path = ?", (doc.source.path,))
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot write {doc.source.path} to the catalog: {exc}") from exc

    def add_path(self, sha256: str, path: str) -> None:
        """Record another path for known content (a duplicate, a moved file)."""
        with self.conn:
            self._add_path(sha256, path, _now())

    def remove_path(self, sha256: str, path: str) -> None:
        """Forget a path of known content (the watcher moved the file away from it)."""
        with self.conn:
            self.conn.execute("DELETE FROM paths WHERE path = ? AND sha256 = ?", (path, sha256))

    def _add_path(self, sha256: str, path: str, now: str) -> None:
        self.conn.execute(
            "INSERT INTO paths VALUES (?, ?, ?, ?)"
            " ON CONFLICT(path, sha256) DO UPDATE SET last_seen = excluded.last_seen",
            (path, sha256, now, now),
        )

    def record_unreadable(self, path: str, error: str) -> None:
        """Remember an input that could not be read at all (no hash to key it by)."""
        with self.conn:
            self.conn.execute(
                "INSERT INTO unreadable VALUES (?, ?, ?)"
                " ON CONFLICT(path) DO UPDATE SET error = excluded.error, seen_at = excluded.seen_at",
                (path, error, _now()),
            )

    def unreadable(self) -> list[sqlite3.Row]:
        """Inputs recorded by `record_unreadable`, by path."""
        return self.rows("SELECT path, error, seen_at FROM unreadable ORDER BY path")


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
