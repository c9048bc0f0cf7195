"""Build vnplan's optional C extensions (everything else is in pyproject.toml).

`pipeline/restore/_lattice.c` (the restoration decoder's search and OCR channel: the same
results as the Python code, several times faster) and `pipeline/ocr/_imaging.c` (bilinear page
rotation: 2-3 times faster than Pillow) are both `optional`: without a C compiler the
install still works and the Python code runs (see `pipeline/native.py`).
"""

from setuptools import Extension, setup

# Exact IEEE arithmetic: the C code must give the Python code's results, bit for bit.
FLAGS = ["-O2", "-fno-fast-math", "-ffp-contract=off"]

setup(
    ext_modules=[
        Extension(
            "pipeline.restore._lattice",
            ["pipeline/restore/_lattice.c"],
            extra_compile_args=FLAGS,
            optional=True,
        ),
        Extension(
            "pipeline.ocr._imaging",
            ["pipeline/ocr/_imaging.c"],
            extra_compile_args=FLAGS,
            optional=True,
        ),
    ]
)
