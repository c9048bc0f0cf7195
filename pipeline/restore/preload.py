"""Imported by the batch's forkserver, so that workers fork with the model already loaded.

Each worker would otherwise load the restoration model on its first garbled document;
loaded once in the server, the model's arrays are shared copy-on-write by every worker.
"""

from __future__ import annotations

import contextlib

from pipeline.errors import VnplanError
from pipeline.restore.model import get_model

# A missing model is reported by the restore stage itself, per document.
with contextlib.suppress(VnplanError, OSError):
    get_model()
