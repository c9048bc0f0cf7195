"""vnplan's optional C extensions, and the switch that turns them off.

setup.py builds them when a C compiler is present; without them the Python code beside
them runs:
- `pipeline.restore._lattice`: the restoration decoder's beam search and the OCR
  channel's alignments (`restore/decoder.py`, `restore/channel.py`): the same results,
  several times faster;
- `pipeline.ocr._imaging`: bilinear rotation of gray pages (`preprocess.py`), 2-3 times
  faster than Pillow and within two gray levels of its pixels.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

PURE_PYTHON_ENV = "VNPLAN_PURE_PYTHON"
"""Set to 1 to run without the C extensions (to compare, or to rule them out)."""

_MODULES = {"lattice": "pipeline.restore._lattice", "imaging": "pipeline.ocr._imaging"}
_loaded: dict[str, ModuleType | None] = {}


def extension(name: str) -> ModuleType | None:
    """The extension `lattice` or `imaging` when it is built and not switched off."""
    if os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0"):
        return None
    if name not in _loaded:
        try:
            _loaded[name] = importlib.import_module(_MODULES[name])
        except ImportError:  # installed without a C compiler
            _loaded[name] = None
    return _loaded[name]
