"""`interreg` processes forked from one that has already imported Dagster, dagster-dbt
and dbt.

A run spends about 4.8 CPU s on imports before it does anything, and the suite starts some
sixty runs. This server, one per pytest worker, imports the other packages' modules once;
then, for each command, it forks a process of its own that:

* starts its own session, as `subprocess.Popen(start_new_session=True)` does, so that a
  test can SIGKILL its whole process group (dbt included);
* takes the test's pipes, environment (replacing the server's, whole), working directory
  and arguments;
* imports the pipeline's own modules, which read nothing of the environment before that,
  and runs `pipelines.cli.main`;
* exits as the console script does, by `sys.exit` through the interpreter's own shutdown
  (atexit handlers and all).

Between the test and its command stands a watcher, also forked by the server: it sends the
command's pid, then its exit status, on the test's connection; the server never waits on a
command. The session's sample run goes through the real console script (tests/conftest.py).

Run as `python -P forkserver.py SOCKET` (-P: nothing of tests/support shadows a package,
its dbt.py the real dbt). It says `ready` on stdout, and exits when its stdin closes.
"""

from __future__ import annotations

import importlib
import json
import os
import select
import socket
import sys

MAX_REQUEST = 1 << 20  # a request is argv, cwd and the environment, as JSON


# What `interreg run` imports from other packages, as `sys.modules` shows it after a run:
# most of its imports. A forked run that fails early costs less than half the CPU of the
# console script's (4.4 against 9.3 s, measured back to back), and one that builds as much
# less.
# Not DuckDB (nor the pipeline's own modules, which import it): importing it starts a
# native thread, and a fork of a process with one dies at exit ("terminate called without
# an active exception").
PRELOAD = (
    "dagster", "dagster_dbt", "dbt.adapters.factory", "dbt.contracts.results", "dbt.graph.cli",
    "dbt.version", "multiprocessing", "networkx", "openpyxl", "pandas", "pandera.pandas",
    "python_calamine", "requests",
    # Dagster's instance, its storages (SQLAlchemy, Alembic) and its in-process execution,
    # which a run imports as it starts.
    "dagster._core.instance.factory", "dagster._core.execution.execute_in_process",
    "dagster._core.executor.in_process", "dagster._core.launcher.sync_in_memory_run_launcher",
    "dagster._core.storage.event_log.sqlite", "dagster._core.storage.runs.sqlite",
    "dagster._core.storage.schedules.sqlite", "dagster._core.workspace.context",
    "dagster._daemon", "alembic", "fsspec", "mako", "pygments", "rich", "structlog", "tqdm",
    "upath", "watchdog",
)  # fmt: skip


def preload() -> None:
    """Import PRELOAD, and make sure the process still has one thread (fork keeps one)."""
    for name in PRELOAD:
        importlib.import_module(name)
    # Any other thread, Python's or native, would be missing in every command, with
    # whatever locks it held.
    threads = os.listdir("/proc/self/task")
    assert len(threads) == 1 and "duckdb" not in sys.modules, (threads, PRELOAD)


def serve(path: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(16)
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select([listener, sys.stdin], [], [], 1.0)
        reap_watchers()
        if sys.stdin in readable and not sys.stdin.buffer.read1(1):
            return  # the test session has ended
        if listener in readable:
            connection, _ = listener.accept()
            message, fds, _, _ = socket.recv_fds(connection, MAX_REQUEST, 3)
            if os.fork() == 0:
                listener.close()
                watch(connection, json.loads(message), fds)  # never returns
            connection.close()
            for fd in fds:
                os.close(fd)


def reap_watchers() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def watch(connection: socket.socket, request: dict, fds: list[int]) -> None:
    """The watcher: fork the command, report its pid and then how it ended."""
    pid = os.fork()
    if pid == 0:
        connection.close()
        command(request, fds)  # raises SystemExit, up through serve(): never returns
    for fd in fds:
        os.close(fd)
    connection.send(json.dumps({"pid": pid}).encode())
    _, status = os.waitpid(pid, 0)
    connection.send(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}).encode())
    os._exit(0)


def command(request: dict, fds: list[int]) -> None:
    """The command: `interreg` as the console script runs it, with the test's pipes,
    environment, working directory and arguments, in a session of its own."""
    os.setsid()
    for target, fd in enumerate(fds):  # stdin, stdout, stderr
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = request["argv"]
    from pipelines.cli import main

    sys.exit(main(sys.argv[1:]))


if __name__ == "__main__":
    preload()
    serve(sys.argv[1])
