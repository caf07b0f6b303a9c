"""A run killed in the middle of publishing: at every step of store.Warehouse.publish.

Publishing is a few renames and links (the build into releases/, a hard link of its file
over the published one, the exports link). A process is SIGKILLed just before each of them
in turn (and once just after publish returned, before the run was recorded); then the next
run publishes, and the published file, the leftovers and the rollback target are checked.
The e2e crash test (tests/e2e/test_faults.py) kills a real `interreg run` at one of these
points; this covers all of them in a second.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.warehouse.store import Warehouse

# In a child process: count the file-system steps of publish and SIGKILL itself before
# step `kill_at` (or, with kill_at 0, once publish has returned).
PUBLISH_AND_DIE = """
import os, signal, sys
from pathlib import Path
from pipelines.warehouse.store import Warehouse

kill_at, steps = int(sys.argv[2]), 0

def counted(step):
    def wrapper(*args, **kwargs):
        global steps
        steps += 1
        if steps == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        return step(*args, **kwargs)
    return wrapper

os.replace, os.link, os.symlink = counted(os.replace), counted(os.link), counted(os.symlink)
Warehouse(Path(sys.argv[1])).publish("run-2")
if kill_at == 0:
    os.kill(os.getpid(), signal.SIGKILL)
print("steps", steps)
"""
STEPS = 5  # the build into releases/, link, rename over the file, exports symlink, rename


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(warehouse: Warehouse, run_id: str, value: int) -> None:
    con = warehouse.connect_build(run_id)
    con.execute("CREATE OR REPLACE TABLE t AS SELECT ? AS v", [value])
    con.close()
    exports = warehouse.build_exports_dir(run_id)
    exports.mkdir(parents=True, exist_ok=True)
    (exports / "t.csv").write_text(f"v\n{value}\n")


def publish(warehouse: Warehouse, run_id: str, value: int) -> None:
    """What a run that succeeds does: hold the lock, build, publish, record."""
    with warehouse.write_lock():
        build(warehouse, run_id, value)
        warehouse.publish(run_id)
        warehouse.record_run({"run_id": run_id, "status": "success"})


def published_value(warehouse: Warehouse) -> int:
    with warehouse.connect_published() as con:
        return con.execute("SELECT v FROM t").fetchone()[0]


def exports_value(warehouse: Warehouse) -> int:
    return int((warehouse.exports_link / "t.csv").read_text().split()[-1])


def test_the_child_counts_every_step_of_publish(tmp_path):
    warehouse = Warehouse(tmp_path)
    publish(warehouse, "run-1", 1)
    build(warehouse, "run-2", 2)
    child = subprocess.run(
        [sys.executable, "-c", PUBLISH_AND_DIE, str(tmp_path), str(STEPS + 1)],
        capture_output=True,
        text=True,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.split() == ["steps", str(STEPS)]


@pytest.mark.parametrize("kill_at", [*range(1, STEPS + 1), 0])
def test_a_run_killed_at_any_step_of_publishing_leaves_a_whole_file_and_no_trace(tmp_path, kill_at):
    warehouse = Warehouse(tmp_path)
    publish(warehouse, "run-1", 1)
    before = sha256(warehouse.published_path)
    with warehouse.write_lock():  # released by the kernel when the child dies
        build(warehouse, "run-2", 2)
    child = subprocess.run(
        [sys.executable, "-c", PUBLISH_AND_DIE, str(tmp_path), str(kill_at)],
        capture_output=True,
        text=True,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr

    # Killed before the rename over the published file: it is the old one, byte for byte.
    # After it: the new one, whole. Never anything in between.
    file_replaced = kill_at == 0 or kill_at > 3
    if file_replaced:
        assert published_value(warehouse) == 2
    else:
        assert sha256(warehouse.published_path) == before
    assert exports_value(warehouse) == (2 if kill_at == 0 else 1)

    # The next run needs no clean-up by hand...
    publish(warehouse, "run-3", 3)
    assert published_value(warehouse) == 3 and exports_value(warehouse) == 3
    assert not any((tmp_path / ".build").iterdir())
    assert not list(tmp_path.glob(".interreg.duckdb.*")) + list(tmp_path.glob(".exports.*"))
    # ...and a rollback goes back to what was published before it: run-2 if the killed run
    # had replaced the file, else run-1 (the killed run's release was never published).
    released = [p.name.split("-", 1)[1] for p in warehouse.releases()]
    assert released == (["run-1", "run-2", "run-3"] if file_replaced else ["run-1", "run-3"])
    warehouse.rollback()
    assert published_value(warehouse) == (2 if file_replaced else 1)
    if not file_replaced:
        assert sha256(warehouse.published_path) == before


def test_a_release_left_newer_by_a_rollback_is_kept(tmp_path):
    """Only never-published releases are removed, not those a rollback stepped back from."""
    warehouse = Warehouse(tmp_path)
    publish(warehouse, "run-1", 1)
    publish(warehouse, "run-2", 2)
    warehouse.rollback()
    with warehouse.write_lock():
        build(warehouse, "run-3", 3)
    assert [p.name.split("-", 1)[1] for p in warehouse.releases()] == ["run-1", "run-2"]
