"""Run `interreg` as an operator does: a separate process with its own environment, in a
session of its own; forked from a server that has already imported Dagster and dbt
(support/forkserver.py), or the installed console script itself."""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from pipelines.config import REPO_ROOT

CONSOLE_SCRIPT = Path(sys.executable).with_name("interreg")


def inherited_env() -> dict[str, str]:
    """This process's environment without the pipeline's settings and Dagster's home."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("INTERREG_", "DAGSTER_HOME"))}


def interreg_env(
    warehouse: Path,
    url: str | None = None,
    token: str | None = None,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    env = inherited_env()
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
    timeout: float = 900,
    console_script: bool = False,
) -> subprocess.CompletedProcess:
    """`interreg *args`, to its end: forked from the fork server, or, with `console_script`,
    the installed command itself, as an operator types it."""
    if console_script:
        return subprocess.run(
            [str(CONSOLE_SCRIPT), *args],
            env=interreg_env(warehouse, url, token, env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    process = start_interreg(*args, warehouse=warehouse, url=url, token=token, env=env)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return subprocess.CompletedProcess(["interreg", *args], process.returncode, stdout, stderr)


def start_interreg(
    *args: str,
    warehouse: Path,
    url: str | None = None,
    token: str | None = None,
    env: dict[str, str] | None = None,
) -> ForkedProcess:
    """A run in the background, in its own session (so a test can kill all of it): forked
    from this worker's fork server (tests/support/forkserver.py)."""
    return ForkedProcess(["interreg", *args], interreg_env(warehouse, url, token, env))


class ForkServer:
    """This worker's fork server, started at its first use and stopped with the worker."""

    _running: ForkServer | None = None

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="interreg-fork-"))
        self.path = str(self.folder / "socket")
        # The preloaded modules see no variable that a command would not; numpy starts no
        # thread pool (a forking process must have one thread).
        env = inherited_env() | {"OPENBLAS_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-P", str(Path(__file__).with_name("forkserver.py")), self.path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO_ROOT,
            env=env,
        )
        ready = self.process.stdout.readline()
        assert ready == b"ready\n", f"the fork server did not start: {ready!r}"
        atexit.register(self.stop)

    @classmethod
    def running(cls) -> ForkServer:
        if cls._running is None or cls._running.process.poll() is not None:
            cls._running = cls()
        return cls._running

    def stop(self) -> None:
        self.process.stdin.close()  # the server's signal to exit
        self.process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)


class ForkedProcess:
    """A command forked by the fork server, with what tests use of `subprocess.Popen`: pid,
    text pipes stdout and stderr, poll, wait, communicate, returncode."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.args, self.returncode = argv, None
        stdout, stderr = os.pipe(), os.pipe()
        stdin = os.open(os.devnull, os.O_RDONLY)
        self._connection = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._connection.connect(ForkServer.running().path)
        request = {"argv": argv, "env": env, "cwd": os.getcwd()}
        socket.send_fds(
            self._connection, [json.dumps(request).encode()], [stdin, stdout[1], stderr[1]]
        )
        for fd in (stdin, stdout[1], stderr[1]):
            os.close(fd)
        self.stdout = open(stdout[0], encoding="utf-8")  # noqa: SIM115 (communicate closes it)
        self.stderr = open(stderr[0], encoding="utf-8")  # noqa: SIM115
        self.pid = self._receive()["pid"]

    def _receive(self) -> dict:
        message = self._connection.recv(4096)
        assert message, "the fork server's watcher ended without a word"
        return json.loads(message)

    def poll(self) -> int | None:
        if self.returncode is None:
            self._connection.setblocking(False)
            try:
                self.returncode = self._receive()["returncode"]
            except BlockingIOError:
                pass
            finally:
                self._connection.setblocking(True)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._connection.settimeout(timeout)
            try:
                self.returncode = self._receive()["returncode"]
            except TimeoutError:
                raise subprocess.TimeoutExpired(self.args, timeout) from None
            finally:
                self._connection.settimeout(None)
            self._connection.close()
        return self.returncode

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Both pipes read to their end, then the exit status."""
        read: dict[str, str] = {}

        def drain(name: str, stream) -> None:
            with stream:
                read[name] = stream.read()

        readers = [
            threading.Thread(target=drain, args=pair, daemon=True)
            for pair in (("stdout", self.stdout), ("stderr", self.stderr))
        ]
        for reader in readers:
            reader.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        for reader in readers:
            reader.join(None if deadline is None else max(0, deadline - time.monotonic()))
            if reader.is_alive():
                raise subprocess.TimeoutExpired(self.args, timeout)
        self.wait(timeout)
        return read.get("stdout", ""), read.get("stderr", "")


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

    def __init__(self, process: ForkedProcess) -> None:
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
        with stream:  # closed at the end of the output, not left to the garbage collector
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
