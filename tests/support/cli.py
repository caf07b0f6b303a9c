"""Run `interreg` as an operator does: a separate process with its own environment."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

INTERREG = Path(sys.executable).with_name("interreg")


def interreg_env(
    warehouse: Path,
    url: str | None = None,
    token: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTERREG_", "DAGSTER_HOME"))}
    env["INTERREG_WAREHOUSE_DIR"] = str(warehouse)
    if url:
        env["INTERREG_MONITORING_URL"] = url
    if token:
        env["INTERREG_MONITORING_TOKEN"] = token
    env.update(extra or {})
    return env


def interreg(
    *args: str,
    warehouse: Path,
    url: str | None = None,
    token: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(INTERREG), *args],
        env=interreg_env(warehouse, url, token, env),
        capture_output=True,
        text=True,
        timeout=900,
    )


def start_interreg(
    *args: str,
    warehouse: Path,
    url: str | None = None,
    token: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """A run in the background, in its own process group (so a test can kill all of it)."""
    return subprocess.Popen(
        [str(INTERREG), *args],
        env=interreg_env(warehouse, url, token, env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def copy_warehouse(source: Path, target: Path) -> Path:
    """A faithful copy of a warehouse folder: `cp -a` keeps the published file a hard link
    of its release (how a run tells the current release) and the links as links."""
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", str(source), str(target)], check=True)
    return target


def published(warehouse: Path) -> Path:
    return warehouse / "interreg.duckdb"


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def last_line(text: str) -> str:
    """The last non-empty line: where `interreg` says what failed."""
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


class Background:
    """A started `interreg` (start_interreg) whose output is read as it comes, line by line."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.stderr_lines: list[str] = []
        self.stdout_lines: list[str] = []
        self._readers = [
            threading.Thread(target=self._read, args=(process.stderr, self.stderr_lines)),
            threading.Thread(target=self._read, args=(process.stdout, self.stdout_lines)),
        ]
        for reader in self._readers:
            reader.daemon = True
            reader.start()

    @staticmethod
    def _read(stream, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    @property
    def stdout(self) -> str:
        return "\n".join(self.stdout_lines)

    def wait_for_line(self, *texts: str, timeout: float = 300) -> str:
        """The first stderr line holding every one of `texts`; fails if the run ends first."""
        deadline = time.monotonic() + timeout
        while True:
            for line in list(self.stderr_lines):
                if all(text in line for text in texts):
                    return line
            if self.process.poll() is not None and not self._readers[0].is_alive():
                raise AssertionError(f"the run ended before {texts}:\n{self.stderr[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {texts}:\n{self.stderr[-3000:]}")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL the run's whole process group (dbt included), as a dying machine would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._join()

    def finish(self, timeout: float = 900) -> int:
        try:
            returncode = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise
        self._join()
        return returncode

    def _join(self) -> None:
        for reader in self._readers:
            reader.join(timeout=10)
