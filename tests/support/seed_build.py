"""Build the marts of an export folder without Dagster: the pipeline's own steps, in order.

1. `validate_export` (pipelines/sources/monitoring/validate.py) on the folder's files, with
   the manifest's row counts. An export that follows the contract loses no row: any row
   quarantined fails the build here;
2. `load_export` (pipelines/warehouse/load.py) into a fresh DuckDB file, and the manifest
   into raw_monitoring.export_manifest (`_load_manifest`, the monitoring asset's own), in
   one transaction as the asset does;
3. `dbt build`: every model, seed and data test (those that tie the marts together
   included), not the dbt unit tests, which do not read the data and run once per session
   in tests/integration/test_dbt_project.py. A failing data test makes dbt skip the models
   after it: the server then runs them (`dbt run --select` them), so that every mart is
   still compared with the reference; the failure is reported on its own. (A `dbt build`
   of models and seeds then a `dbt test` would cost 15 % more on every build.)

dbt runs in a `DbtServer`: a process of its own that imports dbt once, parses the project
once, then runs one `dbt build` per request with dbt's programmatic `dbtRunner`. What a
seed costs (2 shared cores, dbt-core 1.11.16, wide exports at scales 0.05, 0.3 and 2, i.e.
13 to 500 projects; `python -m support.seed_build EXPORT...` from tests/ measures again):

* `dbt build` as a new process: 14 to 17 s CPU a build, whatever the scale: importing dbt
  (2 s) and parsing the project (5 s) every time, then 174 nodes at some 40 ms of Python
  each (Jinja, events), the queries themselves a small part;
* in the server: 6 to 7.5 s CPU a build (scale 0.05 and 2 alike), validating and loading
  0.3 to 0.6 s of it. Once per server: 7.6 s to import dbt and parse the project in full,
  or 3.3 s when it starts from the parse of the session's first server: the profile
  names the database by a relative path (`warehouse.duckdb`, in the build's folder, the
  server's working directory), the same for every build, so dbt's partial-parse state
  stays valid;
* selecting only the monitoring marts and their parents would save 30 of 174 nodes, about
  5 %: not worth leaving tests out. Logging off (`--log-level none`) saves about 10 %.

dbt-duckdb keeps its connection open in the process that ran dbt (a class attribute): the
server closes it after each build, so that the test process can open the file, and the
next build does not write into the previous file.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import queue
import resource
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

DBT_PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
DB_NAME = "warehouse.duckdb"  # in the build's folder: a relative path, the same for every build
PARSE_STATE = "partial_parse.msgpack"
# No log: the results carry each node's message.
DBT_QUIET = ("--no-write-json", "--log-level", "none", "--log-level-file", "none")
# Every model, seed and data test; not the dbt unit tests.
DBT_BUILD_ARGS = ("--exclude-resource-type", "unit_test")


@dataclass
class Cost:
    """Seconds spent by one build, per step: wall clock and CPU (of whichever process)."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)

    def total(self) -> tuple[float, float]:
        return sum(self.wall.values()), sum(self.cpu.values())

    def __str__(self) -> str:
        wall, cpu = self.total()
        steps = ", ".join(f"{k} {self.wall[k]:.1f}/{self.cpu[k]:.1f}" for k in self.wall)
        return f"{wall:.1f} s wall, {cpu:.1f} s CPU (wall/CPU: {steps})"


def cpu_seconds(pid: int | None = None) -> float:
    """CPU seconds used so far by this process and its waited-for children, or by `pid`."""
    if pid is None:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_raw(export_dir: Path, db_path: Path) -> None:
    """Validate the export with the pipeline's validator and load it into `db_path`."""
    from pipelines.sources.monitoring.assets import _load_manifest
    from pipelines.sources.monitoring.validate import validate_export
    from pipelines.warehouse.load import load_export
    from schemas.monitoring_contract import MONITORING

    export_dir = Path(export_dir)
    manifest = json.loads((export_dir / "manifest.json").read_text(encoding="utf-8-sig"))
    files = {f["name"]: f for f in manifest["files"]}
    validated = validate_export(
        {name: export_dir / name for name in files}, {name: f["rows"] for name, f in files.items()}
    )
    assert not len(validated.rejected), (
        f"{export_dir} follows the contract, yet rows were quarantined:\n"
        f"{validated.summary(max_cases=20)}"
    )
    con = duckdb.connect(str(db_path))
    try:
        con.execute("BEGIN TRANSACTION")
        load_export(con, MONITORING, validated.tables)
        _load_manifest(con, manifest)
        con.execute("COMMIT")
    finally:
        con.close()


def not_passed(results: list[dict]) -> list[str]:
    """The nodes of a build that did not succeed or pass, with dbt's message."""
    return [
        f"{r['unique_id']}: {r['status']} {r['message']}"
        for r in results
        if r["status"] not in {"success", "pass"}
    ]


def _common_args(work_dir: Path) -> list[str]:
    return [
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target", "file", "--target-path", str(work_dir / "target"),
        "--log-path", str(work_dir / "logs"), "--no-use-colors", "--quiet",
    ]  # fmt: skip


def _in_folder(work_dir: Path) -> None:
    """dbt's database is `warehouse.duckdb` in the current directory (profile `file`)."""
    os.chdir(work_dir)
    os.environ["INTERREG_DUCKDB_PATH"] = DB_NAME
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"


# --------------------------------------------------------------------------- the server


def _run(runner, command: str, work_dir: Path, *options: str) -> list[dict]:
    result = runner.invoke([command, *_common_args(work_dir), *DBT_QUIET, *options])
    if result.exception is not None:
        raise result.exception
    return [
        {
            "unique_id": r.node.unique_id,
            "status": str(r.status),
            "message": r.message if command == "build" else f"({command} after): {r.message}",
        }
        for r in result.result.results
    ]


def _serve(requests, answers) -> None:
    """The server's loop: ("parse", folder, state or None) and ("build", folder), into
    folder/warehouse.duckdb."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    manifest = None
    while (request := requests.get()) is not None:
        try:
            kind, work_dir, *rest = request
            work_dir = Path(work_dir)
            _in_folder(work_dir)
            if kind == "parse":
                (state,) = rest
                if state is not None:  # start from another server's parse
                    (work_dir / "target").mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(state, work_dir / "target" / PARSE_STATE)
                parsed = dbtRunner().invoke(["parse", *_common_args(work_dir)])
                if not parsed.success:
                    raise RuntimeError(f"dbt parse failed: {parsed.exception}")
                manifest = parsed.result
                answers.put(("ok", str(work_dir / "target" / PARSE_STATE)))
                continue
            try:
                results = _run(dbtRunner(manifest=manifest), "build", work_dir, *DBT_BUILD_ARGS)
                skipped = [
                    r["unique_id"].split(".")[-1]
                    for r in results
                    if r["status"] == "skipped" and r["unique_id"].startswith("model.")
                ]
                if skipped:  # after a failing data test: build them all the same
                    results += _run(
                        dbtRunner(manifest=manifest), "run", work_dir, "--select", *skipped
                    )
            finally:  # let go of the database file
                environment = DuckDBConnectionManager._ENV
                if environment is not None:
                    environment.close()
                DuckDBConnectionManager.close_all_connections()
            answers.put(("ok", results))
        except BaseException as error:  # noqa: BLE001 - sent to the test, which fails with it
            answers.put(("error", f"{type(error).__name__}: {error}"))


class DbtServer:
    """A process that builds warehouses with dbtRunner (spawned: the test process holds
    DuckDB's threads, which a fork would not have)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._requests, self._answers = context.Queue(), context.Queue()
        self._process = context.Process(
            target=_serve, args=(self._requests, self._answers), daemon=True
        )
        self._process.start()
        self.parsed = False

    def _ask(self, request: tuple, timeout: float) -> object:
        self._requests.put(request)
        deadline = time.monotonic() + timeout
        while True:
            try:
                kind, value = self._answers.get(timeout=1)
                break
            except queue.Empty:
                assert self._process.is_alive(), (
                    f"the dbt server died (exit code {self._process.exitcode})"
                )
                assert time.monotonic() < deadline, f"no answer in {timeout} s to {request}"
        assert kind == "ok", value
        return value

    def parse(self, work_dir: Path, state: Path | None = None, timeout: float = 300) -> Path:
        """Parse the project (from `state`, another server's parse, when given); returns
        this parse's state, for other servers."""
        work_dir.mkdir(parents=True, exist_ok=True)
        path = self._ask(("parse", str(work_dir), str(state) if state else None), timeout)
        self.parsed = True
        return Path(path)

    def build(self, work_dir: Path, timeout: float = 900) -> list[dict]:
        """`dbt build` into work_dir/warehouse.duckdb; returns once dbt let go of it, with
        each node's unique_id, status and message (a failing node does not raise)."""
        if not self.parsed:
            self.parse(work_dir / "parse")
        return self._ask(("build", str(work_dir)), timeout)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self._process.pid)

    def close(self) -> None:
        self._requests.put(None)
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def dbt_build_subprocess(work_dir: Path) -> list[dict]:
    """One `dbt build` (no unit tests) as a new process, as tests/support/dbt.py runs it:
    what the server saves is measured against it."""
    import subprocess

    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, "INTERREG_DUCKDB_PATH": str(work_dir / DB_NAME)}
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    completed = subprocess.run(
        [str(dbt), "build", *_common_args(work_dir), "--no-partial-parse",
         "--exclude-resource-type", "unit_test"],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    run_results = work_dir / "target" / "run_results.json"
    assert run_results.is_file(), f"dbt build failed:\n{completed.stdout[-20000:]}"
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    return [{"message": r.get("message"), **r} for r in results]


@dataclass
class Built:
    db_path: Path
    results: list[dict]  # dbt's, one per node: unique_id, status, message
    cost: Cost


def build_marts(export_dir: Path, work_dir: Path, server: DbtServer | None = None) -> Built:
    """The warehouse of `export_dir`, built in `work_dir` (a new folder), with dbt's results
    (a failing data test does not raise: the marts it did not stop are there to compare).

    With no server, dbt runs as a new process."""
    cost = Cost()
    work_dir.mkdir(parents=True)
    db_path = work_dir / DB_NAME
    wall, cpu = time.perf_counter(), cpu_seconds()
    load_raw(export_dir, db_path)
    cost.wall["load"], cost.cpu["load"] = time.perf_counter() - wall, cpu_seconds() - cpu
    wall, cpu = time.perf_counter(), cpu_seconds() if server is None else server.cpu_seconds()
    results = dbt_build_subprocess(work_dir) if server is None else server.build(work_dir)
    cost.wall["dbt"] = time.perf_counter() - wall
    cost.cpu["dbt"] = (cpu_seconds() if server is None else server.cpu_seconds()) - cpu
    return Built(db_path, results, cost)


def main(argv: list[str]) -> None:
    """Measure: build each export folder with a new dbt process, then with one server."""
    import tempfile

    exports = [Path(a).resolve() for a in argv]
    with tempfile.TemporaryDirectory() as tmp:
        for export in exports:
            built = build_marts(export, Path(tmp) / f"process-{export.name}")
            print(f"{export.name}: dbt as a new process: {built.cost}", flush=True)
        started = time.perf_counter()
        server = DbtServer()
        try:
            state = server.parse(Path(tmp) / "parse")
            print(
                f"server: import and full parse {time.perf_counter() - started:.1f} s wall,"
                f" {server.cpu_seconds():.1f} s CPU",
                flush=True,
            )
            started, second = time.perf_counter(), DbtServer()
            second.parse(Path(tmp) / "parse-2", state)
            print(
                f"another server: import and partial parse {time.perf_counter() - started:.1f}"
                f" s wall, {second.cpu_seconds():.1f} s CPU",
                flush=True,
            )
            second.close()
            for round_ in (1, 2):
                for export in exports:
                    built = build_marts(
                        export, Path(tmp) / f"server-{round_}-{export.name}", server
                    )
                    print(f"{export.name}: dbt in the server: {built.cost}", flush=True)
                    print("".join(f"  {line}\n" for line in not_passed(built.results)), end="")
        finally:
            server.close()


if __name__ == "__main__":
    main(sys.argv[1:])
