"""Runs without infrastructure: stable shards of the inputs, and merging their outputs.

An office without a cluster splits an archive over machines with `vnplan run … --shard
I/N` (each machine takes the files whose content hash falls in slice I of N, so the
slices never overlap and do not move when files are added) and joins the output folders
with `vnplan merge OUT1 OUT2 … --out OUT`: documents are matched by content hash, the
newest result wins (one made by this very pipeline first, then the latest processed),
every path any shard saw is kept, and the JSON and CSV files are written from the
merged catalog.  Merging the shards of a folder gives what one run over it gives.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import CatalogError, InputError
from pipeline.fingerprint import pipeline_fingerprint
from pipeline.inputs import hash_file
from pipeline.output import catalog as catalog_tables
from pipeline.output import links, search
from pipeline.output.catalog import CATALOG_NAME, Catalog
from pipeline.output.export import export_catalog
from pipeline.output.rows import SEARCH_TEXT

log = logging.getLogger(__name__)

CHILD_TABLES = ("pages", *(t.name for t in catalog_tables.CHILD_TABLES))
"""Tables whose rows belong to one document (keyed by its sha256)."""
SEARCH_TABLE = SEARCH_TEXT.name
"""A source catalog without it predates the search index, which is then rebuilt."""


# --- shards -------------------------------------------------------------------------------


def parse_shard(text: str) -> tuple[int, int]:
    """`"2/3"` → (2, 3); raises InputError unless 1 ≤ I ≤ N."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise InputError(f"--shard {text!r}: expected I/N, e.g. 1/3") from None
    if not 1 <= index <= count:
        raise InputError(f"--shard {text!r}: I must be between 1 and N")
    return index, count


def shard_of(sha256: str, count: int) -> int:
    """The shard (1…count) of a content hash: its value modulo `count`, stable forever."""
    return int(sha256, 16) % count + 1


def shard_files(files: Iterable[Path], index: int, count: int) -> list[Path]:
    """The files of shard `index` of `count`, by content hash.

    Files that cannot be hashed (unreadable) go to shard 1, so that they are reported
    once, by one shard.
    """
    chosen = []
    for path in files:
        try:
            shard = shard_of(hash_file(path), count)
        except OSError:
            shard = 1
        if shard == index:
            chosen.append(path)
    return chosen


# --- merge --------------------------------------------------------------------------------


@dataclass
class MergeReport:
    """What a merge took from its sources."""

    documents: int = 0
    """Documents copied or replaced in the target."""
    kept: int = 0
    """Documents of a source for which the target already had the newer result."""
    unreadable: int = 0
    """Unreadable inputs of a source (no document) recorded in the target."""
    old_sources: int = 0
    """Sources whose catalog predates the search index (it is rebuilt after the merge)."""


def _rank(pipeline_version: str, processed_at: str, current: str) -> tuple[bool, str]:
    """Which of two results for one content wins: this pipeline's, then the newest."""
    return (pipeline_version == current, processed_at or "")


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA {schema}.table_info({table})")]


def _merge_source(target: Catalog, source: Path, report: MergeReport) -> None:
    """Copy one output folder's catalog into `target`, document by document."""
    conn = target.conn
    current = pipeline_fingerprint()
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))  # read, never written
    try:
        shared = {}
        for table in ("documents", "paths", "unreadable", *CHILD_TABLES):
            ours = set(_columns(conn, "main", table))
            shared[table] = [c for c in _columns(conn, "src", table) if c in ours]
        doc_cols = [c for c in shared["documents"] if c != "batch"]
        if not shared[SEARCH_TABLE]:
            report.old_sources += 1
        rows = conn.execute(
            "SELECT sha256, pipeline_version, processed_at FROM src.documents"
        ).fetchall()
        for sha, version, processed_at in rows:
            have = conn.execute(
                "SELECT pipeline_version, processed_at FROM documents WHERE sha256 = ?", (sha,)
            ).fetchone()
            with conn:
                if have is None or _rank(*have, current) < _rank(version, processed_at, current):
                    for table in CHILD_TABLES:
                        conn.execute(f"DELETE FROM {table} WHERE sha256 = ?", (sha,))
                    conn.execute("DELETE FROM documents WHERE sha256 = ?", (sha,))
                    cols = ", ".join(doc_cols)
                    conn.execute(
                        f"INSERT INTO documents ({cols}, batch)"
                        f" SELECT {cols}, ? FROM src.documents WHERE sha256 = ?",
                        (target.batch, sha),
                    )
                    for table in CHILD_TABLES:
                        if not shared[table]:
                            continue  # a catalog too old to have it (reindexed below)
                        cols = ", ".join(shared[table])
                        conn.execute(
                            f"INSERT INTO {table} ({cols})"
                            f" SELECT {cols} FROM src.{table} WHERE sha256 = ?",
                            (sha,),
                        )
                    report.documents += 1
                else:
                    report.kept += 1
                # Every path any shard saw, with the earliest and latest sightings.
                cols = ", ".join(shared["paths"])
                conn.execute(
                    f"INSERT INTO paths ({cols}) SELECT {cols}"
                    " FROM src.paths WHERE sha256 = ? AND true ON CONFLICT(path, sha256) DO UPDATE"
                    " SET first_seen = min(first_seen, excluded.first_seen),"
                    " last_seen = max(last_seen, excluded.last_seen),"
                    " gone_at = CASE WHEN paths.gone_at IS NULL OR excluded.gone_at IS NULL"
                    " THEN NULL ELSE max(paths.gone_at, excluded.gone_at) END",
                    (sha,),
                )
        with conn:
            gone = conn.execute(
                "INSERT INTO unreadable (path, error, seen_at, batch)"
                " SELECT path, error, seen_at, ? FROM src.unreadable s"
                " WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.path = s.path) AND true"
                " ON CONFLICT(path) DO NOTHING",
                (target.batch,),
            )
            report.unreadable += max(gone.rowcount, 0)
    finally:
        conn.execute("DETACH DATABASE src")


def merge_outputs(sources: list[Path], out_dir: Path) -> MergeReport:
    """Merge the catalogs of `sources` (output folders) into `out_dir` and export it.

    Raises:
        InputError: a source has no catalog, or is the target itself.
        CatalogError: a catalog cannot be read.
    """
    out_dir = Path(out_dir)
    for source in sources:
        if not (Path(source) / CATALOG_NAME).exists():
            raise InputError(f"{source}: no {CATALOG_NAME} (not a vnplan output folder)")
        if Path(source).resolve() == out_dir.resolve():
            raise InputError(f"{source}: the target cannot also be a source")
    report = MergeReport()
    with Catalog.in_dir(out_dir) as target:
        for source in sources:
            try:
                _merge_source(target, Path(source) / CATALOG_NAME, report)
            except sqlite3.Error as exc:
                raise CatalogError(f"cannot merge {source}: {exc}") from exc
        with target.conn:  # references and versions across the merged catalogs
            links.relink(target.conn)
            if report.old_sources:
                search.reindex(target.conn)
        export_catalog(target, out_dir, missing_json_only=False, full=True)
    return report
