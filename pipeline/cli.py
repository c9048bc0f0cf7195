"""The `vnplan` command line.

Each command is a thin layer: it parses options into a `Config`, calls one function of
the package and turns the outcome into output and an exit code (`pipeline.errors.ExitCode`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
import threading
from pathlib import Path

import click

from pipeline import __version__
from pipeline.config import Config
from pipeline.errors import ExitCode, SetupError, VnplanError, one_line

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def out_option(func):
    return click.option(
        "--out",
        "-o",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("output"),
        show_default=True,
        help="Folder for json/, the CSV tables and catalog.sqlite.",
    )(func)


def restore_option(func):
    return click.option(
        "--restore",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Diacritic restoration: only when the text looks garbled (auto), always, or never.",
    )(func)


def lang_option(func):
    return click.option(
        "--lang",
        "-l",
        "languages",
        default="vie",
        show_default=True,
        help="Tesseract languages for scanned pages, e.g. vie or vie+eng.",
    )(func)


def workers_option(func):
    return click.option(
        "--workers",
        "-j",
        type=click.IntRange(min=1),
        default=None,
        help="Worker processes (default: the machine's cores).",
    )(func)


_BUDGETS = Config()


def budget_options(func):
    """The per-file budgets of `run` and `watch` (defaults from `Config`, 0 = no limit)."""
    options = [
        click.option(
            "--file-timeout",
            type=click.FloatRange(min=0),
            default=_BUDGETS.file_timeout,
            show_default=True,
            help="Seconds a file may take, plus --page-timeout per page; past that it fails"
            " with TimeBudgetError and its worker is replaced (0: no limit).",
        ),
        click.option(
            "--page-timeout",
            type=click.FloatRange(min=0),
            default=_BUDGETS.page_timeout,
            show_default=True,
            help="Seconds added to a file's budget per page; also Tesseract's limit per page.",
        ),
        click.option(
            "--max-pages",
            type=click.IntRange(min=1),
            default=_BUDGETS.max_pages,
            show_default=True,
            help="Pages (or TIFF frames) per file; longer files fail with FileTooLargeError.",
        ),
        click.option(
            "--max-memory",
            "max_memory_mb",
            type=click.IntRange(min=0),
            default=_BUDGETS.max_memory_mb,
            show_default=True,
            help="MB of resident memory per worker process, Tesseract included; over it"
            " the file fails with MemoryBudgetError (0: no limit).",
        ),
        click.option(
            "--max-page-content",
            "max_page_content_mb",
            type=click.FloatRange(min=0, min_open=True),
            default=_BUDGETS.max_page_content_mb,
            show_default=True,
            help="MB of decoded drawing operators per PDF page (flate bombs).",
        ),
        click.option(
            "--max-pixels",
            "max_image_pixels",
            type=click.IntRange(min=1),
            default=_BUDGETS.max_image_pixels,
            show_default=True,
            help="Pixels per page image (decompression bombs).",
        ),
        click.option(
            "--retry-failed",
            is_flag=True,
            help="Process again files an earlier run failed for their own fault (damaged,"
            " over a budget); they are skipped otherwise.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def cluster_options(func):
    """`run`'s options for more than one machine: a Dask scheduler, or a shard."""
    func = click.option(
        "--scheduler",
        envvar="VNPLAN_SCHEDULER",
        default=None,
        metavar="ADDRESS",
        help="A dask.distributed scheduler (tcp://HOST:8786 or tls://…) to send the files"
        " to instead of local workers; also VNPLAN_SCHEDULER.  Every worker must see the"
        " input paths.",
    )(func)
    return click.option(
        "--shard",
        default=None,
        metavar="I/N",
        help="Take only the I-th of N stable slices of the inputs (by content hash);"
        " join the N output folders with `vnplan merge`.",
    )(func)


def quiet_option(func):
    return click.option("--quiet", "-q", is_flag=True, help="No progress bar.")(func)


def _config(**kwargs) -> Config:
    clean = {k: v for k, v in kwargs.items() if v is not None}
    return Config(**clean)


def _fail(exc: BaseException, verbose: bool = False) -> None:
    """Print one readable line (a traceback only with -v) and exit: 3 for a setup
    problem (Tesseract, language data, model), 1 otherwise."""
    if verbose:
        logging.getLogger("vnplan").exception("error")
    click.echo(f"vnplan: {one_line(exc)}", err=True)
    sys.exit(ExitCode.setup if isinstance(exc, SetupError) else ExitCode.some_failed)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="vnplan")
@click.option("--verbose", "-v", is_flag=True, help="Log details and show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """vnplan turns Vietnamese government plan documents (Kế hoạch, Quyết định, Báo cáo…),
    scanned or digital, into structured data: one JSON per document, CSV tables and a
    SQLite catalog.

    \b
    Example:
        vnplan run samples/ --out output/
        vnplan ocr scan.pdf > scan.txt
        vnplan restore garbled.txt
    """
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_option
@restore_option
@lang_option
@workers_option
@quiet_option
@click.option("--force", is_flag=True, help="Redo documents the catalog already has.")
@cluster_options
@budget_options
@click.pass_context
def run(
    ctx: click.Context,
    paths: tuple[Path, ...],
    out_dir: Path,
    restore: str,
    languages: str,
    workers: int | None,
    quiet: bool,
    force: bool,
    shard: str | None,
    scheduler: str | None,
    **budgets,
) -> None:
    """Process files and folders (recursively) into OUT.

    Writes OUT/json/<doc_id>.json per document, OUT/documents.csv, tasks.csv,
    legal_refs.csv, dates.csv and OUT/catalog.sqlite.  Documents already in the catalog
    are skipped unless --force, and so are files an earlier run failed for their own
    fault unless --retry-failed.  A bad file is reported on one line and the rest go on.

    Each file runs in a worker process under budgets: wall time (--file-timeout plus
    --page-timeout per page), memory (--max-memory), pages (--max-pages), drawing content
    per PDF page and pixels per image.  A file over one fails with its reason (e.g.
    "TimeBudgetError: stopped after 240 s …"), its worker is replaced, the batch goes on.

    \b
    Exit status:
      0    every file done (or already in the catalog)
      1    some files failed (the others are written; one line each on stderr)
      2    usage error
      3    setup problem: Tesseract, its language data or the model is missing
      130  interrupted (SIGINT, or SIGTERM to vnplan or its process group): committed
           work is kept, files in flight are dropped, no worker is left; run again to finish

    \b
    Example:
        vnplan run samples/
        vnplan run scans/ plans/2026/ --out results/ --workers 2
        vnplan run garbled.txt --restore always
        vnplan run /mnt/archive --scheduler tcp://10.0.0.5:8786   # a Dask cluster
        vnplan run /mnt/archive --shard 2/3 --out out-2            # then: vnplan merge
    """
    from pipeline.batch import print_summary, run_batch, stop_on_signals
    from pipeline.inputs import expand_inputs

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise click.BadParameter(
            ", ".join(str(p) for p in missing) + " not found", param_hint="PATHS"
        )
    config = _config(
        out_dir=out_dir,
        restore=restore,
        ocr_languages=languages,
        workers=workers,
        force=force,
        scheduler=scheduler or None,
        **budgets,
    )
    # The output folder may sit inside an input folder (`vnplan run . --out output`).
    files = expand_inputs(paths, exclude=[out_dir])
    if shard:
        from pipeline.merge import parse_shard, shard_files

        try:
            files = shard_files(files, *parse_shard(shard))
        except VnplanError as exc:
            raise click.BadParameter(str(exc), param_hint="--shard") from None
    stop, wake = threading.Event(), threading.Event()
    try:
        with stop_on_signals(stop, wake):
            summary = run_batch(files, config, progress=not quiet, stop=stop)
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])
    print_summary(summary, verbose=ctx.obj["verbose"])
    sys.exit(summary.exit_code)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@lang_option
@click.pass_context
def ocr(ctx: click.Context, file: Path, languages: str) -> None:
    """Print the recognised text of a scanned PDF or image (pages separated by a form feed).

    PDF pages with a usable text layer are printed from that layer.

    \b
    Example:
        vnplan ocr scan.pdf > scan.txt
        vnplan ocr photo.jpg --lang vie+eng
    """
    from pipeline.chain import ocr_file_text

    try:
        click.echo(ocr_file_text(file, _config(ocr_languages=languages)))
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])


@cli.command("restore")
@click.argument("file", default="-", type=click.File("r", encoding="utf-8"))
@click.option(
    "--mode",
    type=click.Choice(["auto", "always", "marks"]),
    default="always",
    show_default=True,
    help="always: restore every line; auto: only if the text looks garbled; "
    "marks: check the marks of text OCR'd with Tesseract's Vietnamese model.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Instead of the text, print each changed word with its alternatives and their scores.",
)
@click.pass_context
def restore_cmd(ctx: click.Context, file, mode: str, explain: bool) -> None:
    """Print FILE (or standard input) with Vietnamese diacritics restored.

    The output has exactly the input's lines and tokens; numbers, codes and
    abbreviations are kept as they are.

    \b
    Example:
        vnplan restore garbled.txt > fixed.txt
        echo "tang cuong cong tac thi dua" | vnplan restore
        vnplan ocr scan.pdf | vnplan restore --mode marks
        echo "Chi thi so 41" | vnplan restore --explain   # why each word came out so
    """
    from pipeline.restore import restore_text
    from pipeline.restore.explain import explain_text

    try:
        text = file.read()
        if explain:
            click.echo(explain_text(text, mode=mode))
        else:
            click.echo(restore_text(text, mode=mode), nl=False)
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])


@cli.command("train-lm")
@click.option(
    "--add",
    "add_dirs",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Also learn from clean text files or vnplan JSON output in this folder (repeatable).",
)
@click.option(
    "--model-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the model (default: the model vnplan loads).",
)
@click.pass_context
def train_lm(ctx: click.Context, add_dirs: tuple[Path, ...], model_dir: Path | None) -> None:
    """Rebuild the restoration language model, optionally learning an archive's own text.

    \b
    Example:
        vnplan train-lm --add output/json/
    """
    from pipeline.restore.training.train import train

    try:
        report = train(extra=list(add_dirs), model_dir=model_dir)
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])
    click.echo(report)


@cli.command()
@click.argument("inbox", type=click.Path(file_okay=False, path_type=Path))
@out_option
@restore_option
@lang_option
@workers_option
@click.option("--once", is_flag=True, help="Process what is in INBOX now, then exit (for cron).")
@click.option("--poll", is_flag=True, help="Poll instead of file events (network shares).")
@click.option(
    "--settle",
    type=click.FloatRange(min=0),
    default=5.0,
    show_default=True,
    help="Seconds a file's size and mtime must stay unchanged before it is taken.",
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Append the run log (one timestamped line per file, a summary per scan) here "
    "instead of stderr.",
)
@budget_options
@click.pass_context
def watch(
    ctx: click.Context,
    inbox: Path,
    out_dir: Path,
    restore: str,
    languages: str,
    workers: int | None,
    once: bool,
    poll: bool,
    settle: float,
    log_file: Path | None,
    **budgets,
) -> None:
    """Process files dropped into INBOX, then move them to INBOX/processed/ or INBOX/failed/.

    Files are taken only once their size and mtime are stable; a file is moved only after
    its result is committed to the catalog, so a killed watcher loses nothing.  Subfolders
    keep their relative path; each file handled is one timestamped line of the run log
    (done, duplicate, failed with the reason) and each scan ends with a summary line.
    Files run under the same budgets as `vnplan run` (a file over one goes to
    INBOX/failed/ with its reason); SIGTERM or SIGINT stops the watcher as it stops `run`.

    \b
    Example:
        vnplan watch /srv/inbox --out /srv/vnplan
        vnplan watch /srv/inbox --once      # from cron or a systemd timer
    """
    from pipeline.watch import watch_inbox

    config = _config(
        out_dir=out_dir, restore=restore, ocr_languages=languages, workers=workers, **budgets
    )
    try:
        with contextlib.ExitStack() as stack:
            stream = (
                stack.enter_context(log_file.open("a", encoding="utf-8"))
                if log_file
                else sys.stderr
            )
            code = watch_inbox(
                inbox, config, once=once, poll=poll, settle=settle, log_stream=stream
            )
    except OSError as exc:
        _fail(VnplanError(f"{log_file}: cannot write the log file: {exc.strerror or exc}"))
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])
    sys.exit(code)


@cli.command()
@click.argument(
    "sources", nargs=-1, required=True, type=click.Path(file_okay=False, path_type=Path)
)
@out_option
@click.pass_context
def merge(ctx: click.Context, sources: tuple[Path, ...], out_dir: Path) -> None:
    """Merge output folders (e.g. of `run --shard`) into OUT, then write its JSON and CSVs.

    Documents are matched by content hash; where two folders have one, the result of
    this vnplan's pipeline wins, then the most recently processed.  Every path seen is kept.

    \b
    Example:
        vnplan merge out-1 out-2 out-3 --out output/
    """
    from pipeline.merge import merge_outputs

    try:
        report = merge_outputs(list(sources), out_dir)
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])
    click.echo(
        f"{report.documents} documents merged into {out_dir}"
        f" ({report.kept} already there with a newer result)"
    )


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the per-document JSON.

    \b
    Example:
        vnplan schema > vnplan.schema.json
    """
    from pipeline.output.export import output_schema

    click.echo(json.dumps(output_schema(), ensure_ascii=False, indent=2))


# --- analysts' commands: search, export, serve, review ----------------------------------


@cli.command()
@click.argument("query", required=False)
@out_option
@click.option("--type", "doc_type", help="Only documents whose type contains this (any accents).")
@click.option("--issuer", help="Only documents whose issuer contains this (any accents).")
@click.option("--year", type=click.IntRange(min=1900, max=2200), help="Only this issue year.")
@click.option("--lead", help="Only tasks whose lead unit contains this (any accents).")
@click.option(
    "--limit", "-n", type=click.IntRange(min=1), default=None, help="Documents to list [20]."
)
@click.option("--reindex", is_flag=True, help="Rebuild the search index from the catalog first.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str | None,
    out_dir: Path,
    doc_type: str | None,
    issuer: str | None,
    year: int | None,
    lead: str | None,
    limit: int | None,
    reindex: bool,
) -> None:
    """Full-text search of the catalog, with or without diacritics (đ included).

    Titles, task texts and bodies are searched; each hit prints the document number and
    title, then where it matched and the passage.  A query typed with its diacritics
    ranks documents spelled that way first.  Exits 1 when nothing matches.

    \b
    Example:
        vnplan search "tang cuong" --out output/ --year 2026
        vnplan search "phòng cháy" --lead "công an" --limit 5
        vnplan search --reindex --out output/
    """
    from pipeline.output import search as search_module
    from pipeline.output.catalog import Catalog

    if not query and not reindex:
        raise click.UsageError("give a QUERY (or --reindex)")
    if not (out_dir / "catalog.sqlite").exists():
        _fail(VnplanError(f"{out_dir}: no catalog.sqlite here (run `vnplan run` first)"))
    try:
        with Catalog.in_dir(out_dir) as catalog:
            if reindex:
                count = search_module.reindex(catalog.conn)
                click.echo(f"indexed {count} passages", err=True)
            if not query:
                return
            filters = search_module.Filters(doc_type, issuer, year, lead)
            hits = search_module.search(
                catalog.conn, query, filters, limit or search_module.DEFAULT_LIMIT
            )
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])
    for hit in hits:
        click.echo(search_module.format_hit(hit))
    if not hits:
        click.echo(f"no document matches {query!r}", err=True)
        sys.exit(ExitCode.some_failed)


@cli.command("export")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--csv", "csv_", is_flag=True, help="The JSON files and CSV tables, in full.")
@click.option("--xlsx", is_flag=True, help="vnplan.xlsx: a sheet per table, dates typed.")
@click.option("--parquet", is_flag=True, help="parquet/<table>.parquet for large archives.")
@click.option("--ics", is_flag=True, help="calendar/<lead unit>.ics: an event per task deadline.")
@click.pass_context
def export_cmd(
    ctx: click.Context, out_dir: Path, csv_: bool, xlsx: bool, parquet: bool, ics: bool
) -> None:
    """Write OUT_DIR's tables again from its catalog, and as Excel, Parquet or calendars.

    `run` and `watch` append each batch's new rows to the CSVs (a table is rewritten
    when a row it holds changed); `--csv` regenerates every JSON file and CSV table from
    OUT_DIR/catalog.sqlite, e.g. after deleting or editing them.  The workbook has the
    sheets documents, tasks, legal_refs and dates, with typed dates, a frozen header and
    no text read as a formula.  Calendars hold an all-day event on each task's deadline
    (the end of its period) with a stable UID, so importing a new export updates the
    events.  With no option, all four are written.  Prints the files written.

    \b
    Example:
        vnplan export output/ --xlsx
        vnplan export output/ --ics --parquet
        vnplan export output/ --csv
    """
    from pipeline.output import formats
    from pipeline.output.catalog import CATALOG_NAME, Catalog
    from pipeline.output.export import export_catalog

    if not (csv_ or xlsx or parquet or ics):
        csv_ = xlsx = parquet = ics = True
    catalog_path = out_dir / CATALOG_NAME
    if csv_ and not catalog_path.exists():
        raise click.BadParameter(f"{catalog_path} not found", param_hint="OUT_DIR")
    try:
        written: list[Path] = []
        if catalog_path.exists():  # the formats are made from CSVs brought up to date
            with Catalog.in_dir(out_dir) as catalog:
                if csv_:
                    written += export_catalog(catalog, out_dir, missing_json_only=False, full=True)
                else:
                    export_catalog(catalog, out_dir)
        if xlsx or parquet or ics:
            tables = formats.read_tables(out_dir)
            if xlsx:
                written.append(formats.write_xlsx(out_dir, tables))
            if parquet:
                written += formats.write_parquet(out_dir, tables)
            if ics:
                written += formats.write_calendars(out_dir, tables)
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])
    for path in written:
        click.echo(str(path))


@cli.command()
@out_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", "-p", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port."
)
@click.pass_context
def serve(ctx: click.Context, out_dir: Path, host: str, port: int) -> None:
    """Browse the catalog of OUT in Datasette, read-only, until Ctrl-C.

    Tables and views (tasks, references and dates next to their document's number and
    title) with described columns, full-text search of search_text, and canned queries:
    tasks due in a quarter by lead unit, documents citing a reference, failed files,
    documents to review.  Shows the catalog as it was when the server started.

    \b
    Example:
        vnplan serve --out output/            # then open http://127.0.0.1:8001/catalog
        vnplan serve --out output/ --port 9000
    """
    from pipeline.output.serve import serve as serve_catalog

    try:
        serve_catalog(out_dir, host=host, port=port)
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])


@cli.command()
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.argument("doc_ids", nargs=-1)
@click.pass_context
def review(ctx: click.Context, out_dir: Path, doc_ids: tuple[str, ...]) -> None:
    """Write review pages for the documents of OUT_DIR (all, or the DOC_IDs given).

    OUT_DIR/review/<doc_id>.html shows the warnings, the page images beside the text with
    every extracted field highlighted where it was read, and the words restoration or OCR
    was unsure of; OUT_DIR/review/index.html lists the documents, those most in need of a
    look first.  Pages are self-contained HTML (images embedded).  Prints the index path.

    \b
    Example:
        vnplan review output/
        vnplan review output/ 98373b375e44ef63
    """
    from pipeline.output.review import write_review

    if not (out_dir / "catalog.sqlite").exists():
        _fail(VnplanError(f"{out_dir}: no catalog.sqlite here (run `vnplan run` first)"))
    try:
        written = write_review(out_dir, list(doc_ids) or None)
    except VnplanError as exc:
        _fail(exc, ctx.obj["verbose"])
    click.echo(str(written[0]))
    click.echo(f"{len(written) - 1} review pages", err=True)


def main() -> None:
    """Console entry point: usage errors exit 2 (click's own convention)."""
    cli(prog_name="vnplan")
