"""Build an expensive fixture once for the whole test session, not once per xdist worker.

`make test` runs on several pytest-xdist workers, and a session or module fixture is built
by every worker that runs one of its tests: four `interreg run`s of the same sample where
one does. The first worker to ask builds under a file lock in the session's shared
temporary folder; the others wait, then read what it built. The value must pickle; what a
test writes to must be copied from it first (copy_warehouse), since every worker reads
the same folder.
"""

from __future__ import annotations

import fcntl
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")


def session_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The folder every worker of this session shares (its own basetemp without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def built_once(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, build: Callable[[Path], T]
) -> T:
    """`build(folder)` run by one worker of the session; every worker gets its value."""
    root = session_folder(tmp_path_factory, worker_id)
    folder, done = root / f"built-once-{name}", root / f"built-once-{name}.pickle"
    with open(root / f"built-once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():  # a build that raised left no value: the next worker tries again
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            done.write_bytes(pickle.dumps(build(folder)))
        return pickle.loads(done.read_bytes())
