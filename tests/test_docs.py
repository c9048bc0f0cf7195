"""The CLI documents itself: every command has help with an example and is in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_has_help_with_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_is_in_readme(name: str) -> None:
    assert f"vnplan {name}" in README


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README


def test_readme_lists_every_csv_column_in_order() -> None:
    """The README's CSV table is the one in `rows.TABLES` (columns are defined once there)."""
    import re

    from pipeline.output.rows import TABLES

    listed = {
        m.group(1): tuple(c.strip() for c in m.group(2).split(","))
        for m in re.finditer(r"^\| `(\w+)\.csv` \| `([^`]+)` \|", README, re.MULTILINE)
    }
    assert listed == {name: table.names for name, table in TABLES.items()}


def test_readme_lists_every_exit_code() -> None:
    from pipeline.errors import ExitCode

    for code in ExitCode:
        assert f"| {int(code)} |" in README, code
