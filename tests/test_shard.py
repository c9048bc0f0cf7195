"""`vnplan run --shard I/N` and `vnplan merge`: N shards merged equal one run."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.bench_scale import write_plans
from pipeline.cli import cli
from pipeline.errors import InputError
from pipeline.inputs import expand_inputs, hash_file
from pipeline.merge import merge_outputs, parse_shard, shard_files, shard_of
from pipeline.output.catalog import Catalog
from pipeline.output.rows import TABLES

LOCAL = ["--workers", "1", "--file-timeout", "0", "--max-memory", "0", "--quiet"]
"""In-process runs (no worker pool): the same results, faster tests."""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Good plans, a damaged PDF, an empty file and a duplicate."""
    inputs = write_plans(tmp_path / "in", 7)
    (inputs / "hỏng.pdf").write_bytes(b"%PDF-1.4\nthis is not a pdf")
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "copy-of-plan-3.txt").write_bytes((inputs / "plan-000003.txt").read_bytes())
    return inputs


def _run(*args: str) -> None:
    result = CliRunner().invoke(cli, ["run", *args, *LOCAL])
    assert result.exit_code in (0, 1), result.output  # 1: the bad files failed


def _outputs(out: Path) -> dict[str, bytes]:
    files = {f"{name}.csv": (out / f"{name}.csv").read_bytes() for name in TABLES}
    files.update({f"json/{p.name}": p.read_bytes() for p in (out / "json").iterdir()})
    return files


def test_three_shards_merged_equal_one_run(folder, tmp_path):
    _run(str(folder), "--out", str(tmp_path / "whole"))
    for i in (1, 2, 3):
        _run(str(folder), "--shard", f"{i}/3", "--out", str(tmp_path / f"out-{i}"))
    shards = [tmp_path / f"out-{i}" for i in (1, 2, 3)]
    sizes = [Catalog.in_dir(s).count() for s in shards]
    assert sum(sizes) == Catalog.in_dir(tmp_path / "whole").count() == 9  # 10 files, 1 copy
    assert all(sizes), sizes  # every shard got something: the slices really split
    result = CliRunner().invoke(cli, ["merge", *map(str, shards), "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    merged, whole = _outputs(tmp_path / "m"), _outputs(tmp_path / "whole")
    assert merged.keys() == whole.keys()
    for name in whole:
        assert merged[name] == whole[name], name
    with Catalog.in_dir(tmp_path / "m") as catalog:
        copy = catalog.get(hash_file(folder / "copy-of-plan-3.txt"))
        assert len(copy.paths) == 2  # both names of the duplicate were kept


def test_shards_partition_the_inputs_stably(folder):
    files = expand_inputs([folder])
    slices = [shard_files(files, i, 4) for i in (1, 2, 3, 4)]
    assert sorted(p for s in slices for p in s) == sorted(files)
    assert shard_files(files, 2, 4) == slices[1]  # the same again
    for path in slices[2]:
        assert shard_of(hash_file(path), 4) == 3


def test_merge_keeps_the_newer_result_and_merging_twice_changes_nothing(folder, tmp_path):
    _run(str(folder), "--out", str(tmp_path / "a"))
    _run(str(folder), "--out", str(tmp_path / "b"))
    with Catalog.in_dir(tmp_path / "b") as b, b.conn:  # b processed later (timestamps: 1 s)
        b.conn.execute("UPDATE documents SET processed_at = '2999-01-01T00:00:00+00:00'")
    report = merge_outputs([tmp_path / "a", tmp_path / "b"], tmp_path / "m")
    assert (report.documents, report.kept) == (9 + 9, 0)  # b's newer results replace a's
    before = _outputs(tmp_path / "m")
    again = merge_outputs([tmp_path / "a"], tmp_path / "m")
    assert again.documents == 0 and again.kept == 9
    assert _outputs(tmp_path / "m") == before


@pytest.mark.parametrize("text", ["0/3", "4/3", "x", "1/0", "2"])
def test_a_bad_shard_is_refused(text):
    with pytest.raises(InputError):
        parse_shard(text)


def test_merge_refuses_a_folder_without_a_catalog(tmp_path):
    result = CliRunner().invoke(cli, ["merge", str(tmp_path), "--out", str(tmp_path / "m")])
    assert result.exit_code == 1 and "no catalog.sqlite" in result.output


def test_a_merged_catalog_is_searchable_and_linked(tmp_path):
    # Search rows and links are computed across the sources, not only copied.
    from pipeline.output import search

    inputs = write_plans(tmp_path / "in", 4)
    outs = []
    for i in (1, 2):
        out = tmp_path / f"out-{i}"
        result = CliRunner().invoke(
            cli, ["run", str(inputs), "--out", str(out), "--shard", f"{i}/2"]
        )
        assert result.exit_code == 0, result.output
        outs.append(str(out))
    merged = tmp_path / "merged"
    result = CliRunner().invoke(cli, ["merge", *outs, "--out", str(merged)])
    assert result.exit_code == 0, result.output
    with Catalog.in_dir(merged) as catalog:
        hits = search.search(catalog.conn, "ke hoach", limit=10)
        paths = catalog.rows("SELECT path FROM paths WHERE gone_at IS NULL")
    assert len({h.doc_id for h in hits}) == 4
    assert len(paths) == 4
