"""The chain: the stages in order, and running them over one document.

Follow a document from file to CSV row here: `ingest` reads it into pages, `ocr` fills
pages that have no usable text, `check_language` refuses text that is not Vietnamese
(before restoration, which would otherwise "restore" English into Vietnamese-looking
syllables), `restore` repairs garbled or diacritic-less text,
`normalize` tidies Unicode, `segment` finds the layout, `extract` derives metadata,
references, dates and tasks.  `export`/`catalog` then write the results.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from pipeline.config import Config
from pipeline.document import Document, StageError, Status
from pipeline.errors import InternalError, MemoryBudgetError, VnplanError
from pipeline.extract import extract
from pipeline.ingest import ingest, new_document, read_data
from pipeline.language import check_language
from pipeline.normalize import normalize
from pipeline.ocr import ocr
from pipeline.restore import restore
from pipeline.segment import segment

log = logging.getLogger(__name__)

Stage = Callable[[Document, Config], Document]
STAGES: tuple[Stage, ...] = (ingest, ocr, check_language, restore, normalize, segment, extract)


def run_stages(
    doc: Document,
    config: Config,
    stages: tuple[Stage, ...] = STAGES,
    after: Callable[[str, Document], None] | None = None,
) -> Document:
    """Run `stages` in order; the first failure is recorded on the document and ends its run.

    A `VnplanError` is the input's fault (or the installation's) and is recorded as it is.
    A `MemoryError` is the file's too (under a worker's `RLIMIT_DATA` it is the memory
    budget speaking): `MemoryBudgetError`.  Anything else is a bug of ours: it is
    recorded as `InternalError`, naming the exception, with the traceback kept in
    `StageError.detail` (printed under `-v`), so a batch never stops on one document and
    never passes a bug off as bad input.  `after(stage name, doc)` is called after each
    stage that succeeded (a batch worker reports the page count from there).
    """
    for stage in stages:
        started = time.perf_counter()
        try:
            doc = stage(doc, config)
        except VnplanError as exc:
            doc.errors.append(
                StageError(stage=stage.__name__, kind=type(exc).__name__, message=str(exc))
            )
        except MemoryError:
            limit = f"the limit of {config.max_memory_mb} MB" if config.max_memory_mb else "memory"
            doc.errors.append(
                StageError(
                    stage=stage.__name__,
                    kind=MemoryBudgetError.__name__,
                    message=f"ran out of {limit} (--max-memory)",
                )
            )
        except Exception as exc:  # noqa: BLE001 - a bug in one stage must not stop the batch
            log.debug("%s: internal error in %s", doc.source.path, stage.__name__, exc_info=True)
            doc.errors.append(
                StageError(
                    stage=stage.__name__,
                    kind=InternalError.__name__,
                    message=f"{type(exc).__name__}: {exc} (a bug in vnplan; -v shows where)",
                    detail=traceback.format_exc(),
                )
            )
        finally:
            doc.timings[stage.__name__] = round(time.perf_counter() - started, 4)
        if doc.errors:
            doc.status = Status.failed
            return doc
        if after is not None:
            after(stage.__name__, doc)
    doc.status = Status.ok
    return doc


def process_path(
    path: Path, config: Config, after: Callable[[str, Document], None] | None = None
) -> Document:
    """Read and process one file; never raises for bad input (see `Document.errors`).

    `after` is passed to `run_stages`.
    """
    return run_stages(new_document(path), config, after=after)


def process_text(text: str, config: Config | None = None, name: str = "<text>") -> Document:
    """Run the chain on a string: the same result as `process_path` on a UTF-8 file of it.

    `name` stands in for the path (a name ending in `.md` reads the text as Markdown, as
    the file would be).  Never raises for bad input (see `Document.errors`).
    """
    config = config or Config()
    doc = new_document(Path(name))

    def ingest_text(doc: Document, config: Config) -> Document:
        return read_data(doc, text.encode("utf-8"), config)

    ingest_text.__name__ = ingest.__name__  # errors are recorded under the stage's name
    return run_stages(doc, config, (ingest_text, *STAGES[1:]))


def ocr_file_text(path: Path, config: Config) -> str:
    """The text of a file, pages separated by form feeds (`vnplan ocr`).

    PDF pages with a usable text layer are taken from it; other pages are recognised.
    """
    doc = ocr(ingest(new_document(Path(path)), config), config)
    return "\f".join(page.text for page in doc.pages)
