"""`vnplan run`, `watch` and `schema` through click's CliRunner: exact exit codes and messages."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_batch import make_plans

from pipeline.cli import cli
from pipeline.document import OUTPUT_CONTRACT_KEYS


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner."""
    return CliRunner()


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    """A folder with two clean plans."""
    folder = tmp_path / "plans"
    make_plans(folder, ["kế hoạch 1.md", "kế hoạch 2.md"])
    return folder


def test_run_all_good_exits_0_with_a_summary(runner, plans, out_dir):
    result = runner.invoke(cli, ["run", str(plans), "--out", str(out_dir), "-j", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["done", "2", "2"]
    assert lines[3].split() == ["failed", "0", "0"]
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert len(list((out_dir / "json").iterdir())) == 2
    again = runner.invoke(cli, ["run", str(plans), "--out", str(out_dir), "-j", "1"])
    assert again.exit_code == 0
    assert again.stdout.splitlines()[2].split() == ["skipped", "2"]


def test_run_with_a_bad_file_exits_1_and_names_it_on_one_line(runner, plans, out_dir):
    bad = plans / "trống.txt"
    bad.write_bytes(b"")
    result = runner.invoke(cli, ["run", str(plans), "--out", str(out_dir), "-j", "1", "-q"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1].split() == ["done", "2", "2"]
    assert result.stderr == f"{bad}: EmptyFileError: the file is empty\n"


def test_run_missing_path_is_a_usage_error(runner, tmp_path, out_dir):
    result = runner.invoke(cli, ["run", str(tmp_path / "nope.pdf"), "--out", str(out_dir)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'nope.pdf'} not found" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--workers", "0", "."], "Invalid value for '--workers'"),
        (["run", "--bogus", "."], "No such option '--bogus'"),
        (["run"], "Missing argument 'PATHS...'"),
        (["watch", ".", "--settle", "-1"], "Invalid value for '--settle'"),
    ],
)
def test_bad_options_exit_2(runner, args, message):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_run_skips_its_own_output_folder_inside_the_input(runner, plans):
    out = plans / "output"
    first = runner.invoke(cli, ["run", str(plans), "--out", str(out), "-j", "1"])
    assert first.exit_code == 0
    second = runner.invoke(cli, ["run", str(plans), "--out", str(out), "-j", "1"])
    assert second.exit_code == 0
    assert second.stdout.splitlines()[2].split() == ["skipped", "2"]  # no CSV/JSON taken as input


def test_watch_once_moves_files_and_exits_0(runner, plans, out_dir):
    result = runner.invoke(
        cli, ["watch", str(plans), "--out", str(out_dir), "--once", "--settle", "0", "-j", "1"]
    )
    assert result.exit_code == 0, result.output
    assert len(list(plans.glob("processed/*/*.md"))) == 2


def test_watch_once_with_a_failure_exits_1(runner, plans, out_dir):
    bad = plans / "bad.txt"
    bad.write_bytes(b"")
    old = time.time() - 60
    import os

    os.utime(bad, (old, old))
    args = ["watch", str(plans), "--out", str(out_dir), "--once", "-j", "1", "--settle", "0"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert (plans / "failed" / "bad.txt.error.txt").exists()


def test_watch_missing_inbox_exits_1_with_one_line(runner, tmp_path, out_dir):
    result = runner.invoke(cli, ["watch", str(tmp_path / "inbox"), "--out", str(out_dir), "--once"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"vnplan: InputError: {tmp_path / 'inbox'}: the inbox folder does not exist\n"
    )


def test_watch_locked_inbox_exits_1(runner, plans, out_dir):
    from pipeline.watch import inbox_lock

    with inbox_lock(plans):
        result = runner.invoke(cli, ["watch", str(plans), "--out", str(out_dir), "--once"])
    assert result.exit_code == 1
    assert result.stderr.startswith("vnplan: InboxLockedError: another vnplan watch (pid ")


def test_schema_prints_the_json_schema(runner):
    result = runner.invoke(cli, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert set(OUTPUT_CONTRACT_KEYS) <= set(schema["required"])
    assert schema["$schema"].startswith("https://json-schema.org/")


def test_restore_explain_prints_alternatives_per_changed_word(runner):
    result = runner.invoke(cli, ["restore", "--explain"], input="tang cuong cong tac\n")
    assert result.exit_code == 0, result.output
    first = result.stdout.splitlines()[0]
    assert first.startswith("1:1 tang → tăng ")
    assert " | " in first  # the alternatives with their scores
