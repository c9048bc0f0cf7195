"""Build vnplan's optional C extensions (everything else is in pyproject.toml).

It also puts the restoration model (`models/`, which stays at the top of the repository)
into the package, so that an installed wheel carries it.

`pipeline/restore/_lattice.c` (the restoration decoder's search and OCR channel: the same
results as the Python code, several times faster) and `pipeline/ocr/_imaging.c` (bilinear page
rotation: 2-3 times faster than Pillow) are both `optional`: without a C compiler the
install still works and the Python code runs (see `pipeline/native.py`).
"""

import shutil
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

RUNTIME_PATTERNS = ("restore-*", "places.json", "digits-*")
"""The run-time files in `models/` (`pipeline.shipped.RUNTIME_PATTERNS`; the rest there is
training data)."""


class BuildWithModels(build_py):
    """Copy the trained files from the repository's top-level `models/` into the package
    (`pipeline/_models/`), so a wheel gives what the source checkout gives."""

    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "pipeline" / "_models"
        target.mkdir(parents=True, exist_ok=True)
        for pattern in RUNTIME_PATTERNS:
            for source in sorted(Path("models").glob(pattern)):
                shutil.copyfile(source, target / source.name)


# Exact IEEE arithmetic: the C code must give the Python code's results, bit for bit.
FLAGS = ["-O2", "-fno-fast-math", "-ffp-contract=off"]

setup(
    cmdclass={"build_py": BuildWithModels},
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
    ],
)
