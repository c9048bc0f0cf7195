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

from pipeline.document import Document, Status
from pipeline.errors import CatalogError
from pipeline.fingerprint import pipeline_fingerprint
from pipeline.output import links
from pipeline.output.rows import CATALOG_TABLES, DOCUMENTS

JSON_MARK = "json"
"""The `export_marks` name of the per-document JSON files (the other marks are CSVs)."""

CHILD_TABLES = tuple(t for t in CATALOG_TABLES.values() if t is not DOCUMENTS)
"""Tables with many rows per document, keyed by `sha256, seq`: the exported entities and
the search index."""

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


def _m003_doc_id_index(conn: sqlite3.Connection) -> None:
    """Look-ups by doc_id (the id users see) without a table scan."""
    conn.execute("CREATE INDEX IF NOT EXISTS documents_doc_id ON documents(doc_id)")


def _m004_search(conn: sqlite3.Connection) -> None:
    """The full-text index (`search_text` + FTS5, see `pipeline.output.search`), filled
    from the documents already recorded."""
    from pipeline.output import search

    sync_tables(conn)  # the columns search indexes must exist (documents.superseded_by)
    search.create_index(conn)
    search.reindex(conn)


def _m005_path_history_and_doc_ids(conn: sqlite3.Connection) -> None:
    """Paths keep their history (`gone_at` instead of a delete), and `paths` and `pages`
    carry `doc_id` like every other table, so they join on the id users see."""
    conn.execute("ALTER TABLE paths ADD COLUMN gone_at TEXT")
    for table in ("paths", "pages"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN doc_id TEXT")
        conn.execute(
            f"UPDATE {table} SET doc_id ="
            f" (SELECT doc_id FROM documents d WHERE d.sha256 = {table}.sha256)"
        )
    conn.execute("CREATE INDEX IF NOT EXISTS paths_path ON paths(path)")


def _m006_views(conn: sqlite3.Connection) -> None:
    """Views for people: tasks, references and dates next to their document's number and
    title, and the documents to review first (`pipeline.output.views`)."""
    from pipeline.output import views

    sync_tables(conn)  # the views name columns added since m001 (restore_confidence…)
    views.create_views(conn)


def _m007_links(conn: sqlite3.Connection) -> None:
    """Links between documents (`pipeline.output.links`): indexed number keys, then
    references' targets and versions of one document computed for what is stored."""
    from pipeline.output import links, views

    sync_tables(conn)  # documents.same_as, canonical_doc_id, legal_refs.target_doc_id
    for table in ("documents", "legal_refs"):
        conn.execute(f"ALTER TABLE {table} ADD COLUMN number_key TEXT")
        conn.execute(f"CREATE INDEX {table}_number_key ON {table}(number_key)")
    links.relink(conn)
    views.create_views(conn)  # the views show the links


def _m008_export_batches(conn: sqlite3.Connection) -> None:
    """Batch numbers (the CSV order, so exports can append) and what the exports hold.

    `batch` orders the CSV rows (batch, then path): a new batch's rows all sort after
    the rows already written, so an export appends them instead of rewriting the file.
    `export_marks` records, per output, the last batch written and the file's size and
    mtime; deleting a mark (a row was replaced or removed) makes the next export full.
    Old rows read NULL: batch 0, before every new one.
    """
    conn.executescript(
        """
        ALTER TABLE documents ADD COLUMN batch INTEGER;
        ALTER TABLE unreadable ADD COLUMN batch INTEGER;
        CREATE INDEX documents_batch ON documents(batch, path, sha256);
        CREATE INDEX unreadable_batch ON unreadable(batch, path);
        CREATE TABLE export_marks (
            name TEXT PRIMARY KEY,
            upto INTEGER NOT NULL,
            bytes INTEGER,
            mtime_ns INTEGER
        );
        """
    )


def _m009_superseded_index(conn: sqlite3.Connection) -> None:
    """An index of the superseded documents: each commit looks up the versions its
    document replaced (`links.update_links`), which without it reads the whole table.

    Partial (only rows with `superseded_by`), so that the exports' `superseded_by IS
    NULL` never picks it over the batch index: that would read every current row.
    """
    conn.execute(
        "CREATE INDEX IF NOT EXISTS documents_superseded_by ON documents(superseded_by)"
        " WHERE superseded_by IS NOT NULL"
    )


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    _m001_initial,
    _m002_unreadable,
    _m003_doc_id_index,
    _m004_search,
    _m005_path_history_and_doc_ids,
    _m006_views,
    _m007_links,
    _m008_export_batches,
    _m009_superseded_index,
)
"""Applied in order; never edit or reorder a released one, append a new function instead."""


def sync_tables(conn: sqlite3.Connection) -> list[str]:
    """Give every table the columns `rows.CATALOG_TABLES` defines; returns the columns added.

    Columns are only ever added (`ALTER TABLE … ADD COLUMN`), so a new column in
    `rows.py` needs no migration of its own; old rows read NULL until reprocessed.
    """
    added = []
    for table in CATALOG_TABLES.values():
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table.name})")}
        if not have:
            continue  # created by its migration (search_text), which runs later
        for column in table.columns:
            if column.name not in have:
                conn.execute(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {column.sql}")
                added.append(f"{table.name}.{column.name}")
    if added:
        conn.commit()
    return added


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
        self._batch: int | None = None
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
            sync_tables(self.conn)
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
                "SELECT path FROM paths WHERE sha256 = ? AND gone_at IS NULL"
                " ORDER BY first_seen, path",
                (sha256,),
            )
        )
        return Entry(**dict(row), paths=paths)

    def is_done(self, sha256: str, fingerprint: str | None = None) -> bool:
        """True when the content was processed `ok` by this very pipeline (skip it).

        "This very pipeline" is `pipeline_fingerprint()`: the package's code and model
        files; after an upgrade or a retrained model, documents are processed again.
        """
        row = self.conn.execute(
            "SELECT 1 FROM documents WHERE sha256 = ? AND status = ? AND pipeline_version = ?",
            (sha256, Status.ok.value, fingerprint or pipeline_fingerprint()),
        ).fetchone()
        return row is not None

    def failure(self, sha256: str, fingerprint: str | None = None) -> Entry | None:
        """The entry of content this very pipeline failed (`is_done`'s counterpart), or None."""
        row = self.conn.execute(
            "SELECT 1 FROM documents WHERE sha256 = ? AND status = ? AND pipeline_version = ?",
            (sha256, Status.failed.value, fingerprint or pipeline_fingerprint()),
        ).fetchone()
        return self.get(sha256) if row else None

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

        A document seen before (same hash) is replaced; its known paths are kept.  Other
        documents once seen under the same path are older versions of this file (edited
        in place, dropped again): they are marked `superseded_by` this one.
        """
        sha = doc.source.sha256
        if not sha:
            raise CatalogError(f"{doc.source.path}: a document without a hash cannot be stored")
        now = _now()
        values = dict(zip(DOCUMENTS.names, DOCUMENTS.rows(doc)[0], strict=True))
        values.update(self._bookkeeping(doc, seconds, now))
        values["batch"] = self.batch
        try:
            with self.conn:
                self.conn.execute("BEGIN IMMEDIATE")
                self._upsert_document(values)
                self._add_path(sha, doc.source.path, now)
                self.conn.executemany(
                    "INSERT INTO pages (sha256, number, method, confidence, doc_id)"
                    " VALUES (?, ?, ?, ?, ?)",
                    [(sha, p.number, p.method, p.confidence, values["doc_id"]) for p in doc.pages],
                )
                for table in CHILD_TABLES:
                    self._insert_entities(table.name, table.names, sha, table.rows(doc))
                superseded = self.conn.execute(
                    "UPDATE documents SET superseded_by = ? WHERE sha256 != ?"
                    " AND superseded_by IS NULL"
                    " AND sha256 IN (SELECT sha256 FROM paths WHERE path = ?)",
                    (values["doc_id"], sha, doc.source.path),
                )
                gone = self.conn.execute(
                    "DELETE FROM unreadable WHERE path = ?", (doc.source.path,)
                )
                # References and versions, same commit; links may change rows of other
                # documents that the CSVs already hold.
                relinked = links.update_links(self.conn, sha)
                if superseded.rowcount or gone.rowcount or relinked:
                    self._supersede()
        except sqlite3.Error as exc:
            raise CatalogError(f"cannot write {doc.source.path} to the catalog: {exc}") from exc

    @staticmethod
    def _bookkeeping(doc: Document, seconds: float | None, now: str) -> dict:
        """The documents columns that are the catalog's own (not in documents.csv)."""
        ok = doc.status == Status.ok
        return {
            "size": doc.source.size,
            "timings": json.dumps(doc.timings),
            "seconds": seconds if seconds is not None else round(sum(doc.timings.values()), 4),
            "pipeline_version": pipeline_fingerprint(),
            "model_version": model_version(),
            "processed_at": now,
            "output": json.dumps(doc.to_output(), ensure_ascii=False) if ok else None,
        }

    def _upsert_document(self, values: dict) -> None:
        sha = values["sha256"]
        known = self.conn.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha,)).fetchone()
        if known:
            self._supersede()
        # Child rows go first so a re-processed document never keeps stale entities.
        for table in ("pages", *(t.name for t in CHILD_TABLES)):
            self.conn.execute(f"DELETE FROM {table} WHERE sha256 = ?", (sha,))
        columns = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        updates = ", ".join(f"{k} = excluded.{k}" for k in values if k != "sha256")
        self.conn.execute(
            f"INSERT INTO documents ({columns}) VALUES ({marks})"
            f" ON CONFLICT(sha256) DO UPDATE SET {updates}",
            values,
        )

    def _insert_entities(
        self, table: str, names: tuple[str, ...], sha: str, rows: list[tuple]
    ) -> None:
        columns = ", ".join(("sha256", "seq", *names))
        marks = ", ".join("?" * (len(names) + 2))
        self.conn.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",
            [(sha, seq, *row) for seq, row in enumerate(rows)],
        )

    def add_path(self, sha256: str, path: str) -> None:
        """Record another path for known content (a duplicate, a moved file)."""
        with self.conn:
            self._add_path(sha256, path, _now())

    def remove_path(self, sha256: str, path: str) -> None:
        """The file is no longer at `path` (moved away): it stays in the history, gone."""
        with self.conn:
            self.conn.execute(
                "UPDATE paths SET gone_at = ? WHERE path = ? AND sha256 = ?", (_now(), path, sha256)
            )

    def move_path(self, sha256: str, old: str, new: str) -> dict | None:
        """The file moved from `old` to `new`; `old` stays in the history, gone.

        When `old` was the document's own path (not a duplicate's), `new` becomes it, in
        the row and in the stored JSON (`source.path`).  Returns that updated JSON (None
        otherwise) so the caller can rewrite `json/<doc_id>.json`.
        """
        now = _now()
        output = self.output(sha256)
        moved = output is not None and output["source"]["path"] == old
        if moved:
            output["source"]["path"] = new
        with self.conn:
            self._add_path(sha256, new, now)
            self.conn.execute(
                "UPDATE paths SET gone_at = ? WHERE path = ? AND sha256 = ?", (now, old, sha256)
            )
            renamed = self.conn.execute(
                "UPDATE documents SET path = ? WHERE sha256 = ? AND path = ?", (new, sha256, old)
            )
            if renamed.rowcount and self._exported(sha256):
                self._supersede()  # the CSVs hold the old path
            if moved:
                self.conn.execute(
                    "UPDATE documents SET output = ? WHERE sha256 = ?",
                    (json.dumps(output, ensure_ascii=False), sha256),
                )
        return output if moved else None

    def history(self, sha256: str) -> list[sqlite3.Row]:
        """Every path the content was seen under, oldest first, with `gone_at` once it left."""
        return self.rows(
            "SELECT path, first_seen, last_seen, gone_at FROM paths WHERE sha256 = ?"
            " ORDER BY first_seen, rowid",
            (sha256,),
        )

    def _add_path(self, sha256: str, path: str, now: str) -> None:
        self.conn.execute(
            "INSERT INTO paths (path, sha256, first_seen, last_seen, doc_id)"
            " VALUES (?, ?, ?, ?, (SELECT doc_id FROM documents WHERE sha256 = ?))"
            " ON CONFLICT(path, sha256) DO UPDATE SET last_seen = excluded.last_seen,"
            " gone_at = NULL",
            (path, sha256, now, now, sha256),
        )

    def record_unreadable(self, path: str, error: str) -> None:
        """Remember an input that could not be read at all (no hash to key it by).

        Seen again with the same error, only `seen_at` changes: its CSV row stays as it
        is, so a folder with an unreadable entry does not force full exports every run.
        """
        with self.conn:
            old = self.conn.execute(
                "SELECT error FROM unreadable WHERE path = ?", (path,)
            ).fetchone()
            if old is not None and old[0] == error:
                self.conn.execute(
                    "UPDATE unreadable SET seen_at = ? WHERE path = ?", (_now(), path)
                )
                return
            if old is not None:
                self._supersede()
            self.conn.execute(
                "INSERT INTO unreadable (path, error, seen_at, batch) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(path) DO UPDATE SET error = excluded.error,"
                " seen_at = excluded.seen_at, batch = excluded.batch",
                (path, error, _now(), self.batch),
            )

    # -- batches and export marks (what the incremental exports rely on) --

    @property
    def batch(self) -> int:
        """This connection's batch number: above every batch stored or exported.

        Taken on first use, so one `Catalog` opened for a run is one batch; the CSV rows
        of a batch sort after those of every earlier one (see `_m004_export_batches`).
        """
        if self._batch is None:
            self._batch = 1 + self.top_batch()
        return self._batch

    def top_batch(self) -> int:
        """The highest batch number stored or exported (0 for none); index look-ups only."""
        row = self.conn.execute(
            "SELECT max(coalesce((SELECT max(batch) FROM documents), 0),"
            " coalesce((SELECT max(batch) FROM unreadable), 0),"
            " coalesce((SELECT max(upto) FROM export_marks), 0))"
        ).fetchone()
        return int(row[0])

    def _exported(self, sha256: str) -> bool:
        """Whether a CSV export already holds the row of document `sha256`."""
        return (
            self.conn.execute(
                "SELECT 1 FROM documents d JOIN export_marks m ON m.name != ?"
                " WHERE d.sha256 = ? AND COALESCE(d.batch, 0) <= m.upto LIMIT 1",
                (JSON_MARK, sha256),
            ).fetchone()
            is not None
        )

    def _supersede(self) -> None:
        """A row the CSVs already hold changed or went: the next CSV export is a full one.

        Runs inside the caller's transaction, so the change and the forgotten marks
        commit together.
        """
        self.conn.execute("DELETE FROM export_marks WHERE name != ?", (JSON_MARK,))

    def mark(self, name: str) -> sqlite3.Row | None:
        """What the output `name` (a CSV file name, or `json`) was last exported up to."""
        return self.conn.execute(
            "SELECT upto, bytes, mtime_ns FROM export_marks WHERE name = ?", (name,)
        ).fetchone()

    def set_mark(
        self, name: str, upto: int, size: int | None = None, mtime_ns: int | None = None
    ) -> None:
        """Record that the output `name` holds every row up to batch `upto`."""
        with self.conn:
            self.conn.execute(
                "INSERT INTO export_marks VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                " upto = excluded.upto, bytes = excluded.bytes, mtime_ns = excluded.mtime_ns",
                (name, upto, size, mtime_ns),
            )

    def forget_marks(self) -> None:
        """Make the next export a full one (JSON check included)."""
        with self.conn:
            self.conn.execute("DELETE FROM export_marks")

    def unreadable(self) -> list[sqlite3.Row]:
        """Inputs recorded by `record_unreadable`, by path."""
        return self.rows("SELECT path, error, seen_at FROM unreadable ORDER BY path")
