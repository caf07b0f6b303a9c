"""Measure a child process: wall time and memory of its whole process tree, over time.

The pipeline starts dbt as a process of its own, so the memory of a run is that of a tree.
Every `interval` seconds the resident set sizes of the child and all its descendants are
summed (/proc/<pid>/statm); the samples are kept with their time, so a run's peak memory can
be given per stage afterwards. os.wait4 adds the kernel's figure: the largest resident set
any single process of the tree reached (ru_maxrss).
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
MB = 1 << 20


@dataclass
class Measured:
    command: list[str]
    started_at: float  # epoch seconds
    ended_at: float
    returncode: int
    max_process_rss_mb: float  # ru_maxrss: the largest single process of the tree
    cpu_seconds: float  # user + system time of the tree: less noisy than wall time
    samples: list[tuple[float, float]] = field(default_factory=list)  # (epoch, tree RSS MB)
    log: Path | None = None

    @property
    def seconds(self) -> float:
        return self.ended_at - self.started_at

    @property
    def peak_rss_mb(self) -> float:
        """The largest sum of resident set sizes of the tree seen at one moment."""
        return max((rss for _, rss in self.samples), default=0.0)

    def peak_between(self, start: float, end: float) -> float | None:
        inside = [rss for t, rss in self.samples if start <= t <= end]
        return max(inside) if inside else None


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_rss_mb(root: int) -> float:
    """The summed resident set size of `root` and its descendants, in MiB."""
    children = _children()
    pending, total = [root], 0
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                total += int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return total * PAGE_BYTES / MB


def run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    log: Path | None = None,
    interval: float = 0.05,
    timeout: float | None = None,
) -> Measured:
    """Run `command` to its end, sampling its tree's memory; output goes to `log`."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    try:
        started = time.time()
        process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        samples: list[tuple[float, float]] = []
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                ended = time.time()
                break
            now = time.time()
            samples.append((now, tree_rss_mb(process.pid)))
            if timeout is not None and now - started > timeout:
                process.kill()
            time.sleep(interval)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    finally:
        if log:
            out.close()
    return Measured(
        command=[str(c) for c in command],
        started_at=started,
        ended_at=ended,
        returncode=process.returncode,
        max_process_rss_mb=usage.ru_maxrss / 1024,  # KiB on Linux
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        samples=samples,
        log=log,
    )
