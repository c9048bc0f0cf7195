"""The Dask executor on a loopback LocalCluster: exactly-once commits, lost workers,
the same output as the process pool, the worker plugin, stopping."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from benchmarks.bench_scale import write_plans
from pipeline.batch import run_batch
from pipeline.cli import cli
from pipeline.config import Config
from pipeline.inputs import expand_inputs
from pipeline.output.catalog import Catalog
from pipeline.output.rows import TABLES

distributed = pytest.importorskip("distributed")
dask = pytest.importorskip("dask")

NO_BUDGETS = {"file_timeout": 0, "max_memory_mb": 0}


@pytest.fixture(scope="module")
def address():
    """Two worker processes of one thread, loopback only, no dashboard; a task is tried
    again once after its worker died (the local pool's CRASH_RETRIES)."""
    from pipeline.cluster import local_cluster

    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), local_cluster(2) as addr:
        yield addr


def _folder(root: Path, n: int = 5) -> Path:
    inputs = write_plans(root, n)
    (inputs / "hỏng.pdf").write_bytes(b"%PDF-1.4\nnot a pdf at all")
    (inputs / "empty.txt").write_bytes(b"")
    return inputs


def _outputs(out: Path) -> dict[str, bytes]:
    files = {f"{name}.csv": (out / f"{name}.csv").read_bytes() for name in TABLES}
    files.update({f"json/{p.name}": p.read_bytes() for p in (out / "json").iterdir()})
    return files


def _exactly_once(summary, files: list[Path], out: Path) -> None:
    assert sorted(r.path for r in summary.results) == sorted(files)  # each file once
    with Catalog.in_dir(out) as catalog:
        assert catalog.count() == len(files)
        paths = [r[0] for r in catalog.rows("SELECT path FROM paths")]
        assert sorted(paths) == sorted(map(str, files))
    lines = (out / "documents.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + len(files)


def test_every_file_is_committed_once_and_the_output_is_the_pools(address, tmp_path):
    inputs = _folder(tmp_path / "in")
    files = expand_inputs([inputs])
    config = Config(out_dir=tmp_path / "dask", scheduler=address, **NO_BUDGETS)
    summary = run_batch(files, config, progress=False)
    _exactly_once(summary, files, tmp_path / "dask")
    assert len(summary.done) == 5 and len(summary.failed) == 2
    assert {r.kind for r in summary.failed} == {"CorruptPdfError", "EmptyFileError"}
    pool = run_batch(files, Config(out_dir=tmp_path / "pool", workers=2), progress=False)
    assert len(pool.done) == 5
    assert _outputs(tmp_path / "dask") == _outputs(tmp_path / "pool")


def test_a_worker_killed_mid_batch_still_gives_each_file_once(address, tmp_path):
    from tests.cluster_faults import die_on_kill_files

    inputs = _folder(tmp_path / "in", 3)
    (inputs / "kill-once.txt").write_text((inputs / "plan-000000.txt").read_text() + "\nx\n")
    (inputs / "kill-always.txt").write_text("never read to the end")
    files = expand_inputs([inputs])
    config = Config(out_dir=tmp_path / "out", scheduler=address, **NO_BUDGETS)
    summary = run_batch(files, config, progress=False, work=die_on_kill_files)
    _exactly_once(summary, files, tmp_path / "out")
    outcome = {r.path.name: (r.outcome, r.kind) for r in summary.results}
    assert outcome["kill-once.txt"] == ("done", None)  # retried on a fresh worker
    assert outcome["kill-always.txt"] == ("failed", "WorkerCrashError")  # bounded
    assert sorted(r.path.name for r in summary.done) == [
        "kill-once.txt",
        *(f"plan-{i:06d}.txt" for i in range(3)),
    ]  # no file queued beside the culprit was failed with it


def test_each_worker_is_prepared_once(address):
    from pipeline.cluster import connect

    client = connect(address)
    try:
        # The worker killed by the test before is restarted by its nanny: wait for it.
        client.wait_for_workers(2, timeout=60)
        seen = client.run(
            lambda: (
                __import__("os").environ.get("OMP_THREAD_LIMIT"),
                "pipeline.restore.preload" in __import__("sys").modules,
            )
        )
    finally:
        client.close()
    assert len(seen) == 2 and set(seen.values()) == {("1", True)}


def test_a_stop_cancels_pending_files_and_keeps_what_was_committed(address, tmp_path):
    inputs = write_plans(tmp_path / "in", 12)
    files = expand_inputs([inputs])
    out = tmp_path / "out"
    stop = threading.Event()
    config = Config(out_dir=out, scheduler=address, **NO_BUDGETS)
    summary = run_batch(files, config, progress=False, stop=stop, on_result=lambda r, c: stop.set())
    assert summary.interrupted and 1 <= len(summary.done) < len(files)
    with Catalog.in_dir(out) as catalog:
        assert catalog.count() == len(summary.done)
    again = run_batch(files, config, progress=False)  # a re-run finishes the rest
    assert len(again.done) + len(again.skipped) == len(files)
    assert len(again.skipped) == len(summary.done)


def test_vnplan_run_takes_the_scheduler_from_the_environment(address, tmp_path):
    inputs = write_plans(tmp_path / "in", 2)
    result = CliRunner().invoke(
        cli,
        ["run", str(inputs), "--out", str(tmp_path / "out"), "--quiet"],
        env={"VNPLAN_SCHEDULER": address},
    )
    assert result.exit_code == 0, result.output
    assert "done" in result.output and len(list((tmp_path / "out" / "json").iterdir())) == 2


def test_an_unreachable_scheduler_is_a_setup_error(tmp_path, monkeypatch):
    monkeypatch.setattr("pipeline.cluster.CONNECT_TIMEOUT", 1.0)
    inputs = write_plans(tmp_path / "in", 1)
    result = CliRunner().invoke(
        cli,
        ["run", str(inputs), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:9"],
    )
    assert result.exit_code == 3, result.output
