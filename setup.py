"""Build the optional C core of the restoration decoder (everything else is pyproject.toml).

`pipeline/restore/_lattice.c` makes the decoder's beam search several times faster; it is
`optional`, so an install without a C compiler still works, with the pure-Python search.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "pipeline.restore._lattice",
            ["pipeline/restore/_lattice.c"],
            extra_compile_args=["-O2", "-fno-fast-math", "-ffp-contract=off"],
            optional=True,
        )
    ]
)
