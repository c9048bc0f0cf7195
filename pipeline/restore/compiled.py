"""The optional C core of the restoration model (`_lattice.c`), and the switch that turns
it off.

setup.py builds it when a C compiler is present.  It computes exactly what the Python code
computes (the decoder's beam search, the OCR channel's alignments), several times faster;
without it the Python code runs, with the same output.
"""

from __future__ import annotations

import os

try:
    from pipeline.restore import _lattice
except ImportError:  # installed without a C compiler
    _lattice = None

PURE_PYTHON_ENV = "VNPLAN_PURE_PYTHON"
"""Set to 1 to run without the C core (to compare the two, or to rule it out)."""


def core():
    """The `_lattice` module when it is built and not switched off, else None."""
    if _lattice is None or os.environ.get(PURE_PYTHON_ENV, "") not in ("", "0"):
        return None
    return _lattice
