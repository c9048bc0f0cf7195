"""The examples in docstrings run and say what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import pipeline


def _modules_with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(pipeline.__path__, "pipeline."):
        spec = info.module_finder.find_spec(info.name)
        origin = getattr(spec, "origin", None) if spec else None
        if origin and origin.endswith(".py"):
            lines = Path(origin).read_text("utf-8").splitlines()
            if any(">>> " in line and "+SKIP" not in line for line in lines):
                names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted and not result.failed, name
