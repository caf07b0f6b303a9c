"""Faults, bad and hostile inputs, crashes: `interreg run` as a process, against a warehouse
that already holds a good published file.

Every failing case asserts what an operator relies on: a non-zero exit, a last stderr line
naming the file (and the column where there is one), the published file byte for byte
unchanged with its releases and exports, and no build left behind. Quarantine cases
succeed with the bad rows named in audit.rejected_rows. Resets, stalls and truncated bodies
come from a raw socket server (tests/support/raw_http.py), the same one the extractor's
integration tests use (tests/integration/test_monitoring_extract.py, which also covers the
size limits); docs/guarantees.md lists every case and its test.

A run that builds costs about 30 CPU s, a run that fails before dbt about 3: the failing
cases run on copies of the session's published sample, the successful ones are grouped
into four runs (over HTTP; over a raw socket server that resets, truncates and stalls
once; the crash chain; and a hostile export, which the session's hostile run reads with
keep.eu's hostile workbook: tests/e2e/conftest.py), and every failing case fails early,
with small HTTP time budgets.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest
from pytest_httpserver import HTTPServer
from support.built_once import built_once
from support.cli import (
    Background,
    copy_warehouse,
    file_hash,
    interreg,
    last_line,
    published,
    start_interreg,
)
from support.exports import (
    EXTRA_COLUMN,
    Rows,
    copy_export,
    edit_file,
    read_manifest,
    read_rows,
    reshape,
    rewrite_manifest,
    sample_rows,
    write_manifest,
)
from support.hostile_export import DRIFT_COLUMN, FORMULA, FREE_TEXT, HOSTILE
from support.raw_http import RawServer
from support.warehouse import (
    assert_headline_matches_reference,
    leftovers,
    mart_hashes,
    published_state,
    table_names,
)
from werkzeug import Request, Response

from pipelines.config import SAMPLE_MONITORING_DIR
from pipelines.crash_points import ENV as PAUSE_AT
from schemas.monitoring_contract import MONITORING

TOKEN = "tok-Faults-9f27c1-never-printed"


# -- the good warehouse and the helpers ------------------------------------------------------


@pytest.fixture(scope="module")
def reshaped(tmp_path_factory) -> Path:
    """The sample exported again a second later, in another byte shape (BOM, CRLF, columns
    reordered and one added: support.exports.reshape). A run on it has work to do (a run on
    the export the warehouse holds publishes nothing), and must publish the same marts."""
    export = copy_export(SAMPLE_MONITORING_DIR, tmp_path_factory.mktemp("reshaped") / "export")
    reshape(export)
    manifest = read_manifest(export)
    rewrite_manifest(export, exported_at=manifest["exported_at"].replace(":00Z", ":01Z"))
    assert read_manifest(export)["exported_at"] != manifest["exported_at"]
    return export


def fails_and_publishes_nothing(
    warehouse: Path,
    *named: str,
    url: str,
    token: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Run; assert the failure names `named` on the last line and nothing was published."""
    before = published_state(warehouse)
    result = interreg("run", warehouse=warehouse, url=url, token=token, env=env)
    assert result.returncode != 0, f"the run should have failed:\n{result.stderr[-3000:]}"
    line = last_line(result.stderr)
    for text in named:
        assert text in line, f"{text!r} is not in the last line: {line}"
    assert published_state(warehouse) == before
    assert leftovers(warehouse) == []
    return result


def edit_rows(export: Path, name: str, edit) -> None:
    """Apply `edit(rows)` to the rows of `name` (header unchanged), in place."""

    def apply(header: list[str], rows: Rows) -> tuple[list[str], Rows]:
        edit(rows)
        return header, rows

    edit_file(export, name, apply)


# -- bad files from a folder: each fails before dbt, naming the file -------------------------


def schema_version_2(export: Path) -> None:
    rewrite_manifest(export, schema_version="2")


def listed_name(name: str):
    def variant(export: Path) -> None:
        manifest = read_manifest(export)
        manifest["files"].append({"name": name, "sha256": "0" * 64, "rows": 0})
        write_manifest(export, manifest)

    return variant


def invalid_utf8(export: Path) -> None:
    path = export / "projects.csv"
    data = path.read_bytes()
    cut = data.index(b"\n", len(data) // 2) + 1  # a record in the middle starts with 0xFF
    path.write_bytes(data[:cut] + b"\xff" + data[cut:])
    rewrite_manifest(export)


def utf16(export: Path) -> None:
    path = export / "partners.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    rewrite_manifest(export)


def empty_file(export: Path) -> None:
    (export / "good_practices.csv").write_bytes(b"")
    rewrite_manifest(export)


def header_only_projects(export: Path) -> None:
    edit_file(export, "projects.csv", lambda header, rows: (header, []))
    rewrite_manifest(export)


def ten_times_the_size(export: Path) -> None:
    """What the manifest promised is not what came: its sha256 catches it."""
    edit_file(export, "projects.csv", lambda header, rows: (header, rows * 10))


def ten_times_the_rows_with_a_matching_hash(export: Path) -> None:
    """The hash was updated, the row count was not: the count catches it."""
    edit_file(export, "projects.csv", lambda header, rows: (header, rows * 10))
    manifest = read_manifest(export)
    rewrite_manifest(export)
    honest = read_manifest(export)
    for entry, old in zip(honest["files"], manifest["files"], strict=True):
        entry["rows"] = old["rows"]
    write_manifest(export, honest)


def european_amounts_in_5_percent_of_rows(export: Path) -> None:
    def edit(rows: Rows) -> None:
        for row in rows[::20]:
            row["sf_influenced_eur"] = "1.234,56"

    edit_rows(export, "policy_changes.csv", edit)
    rewrite_manifest(export)


def an_indicator_every_value_refers_to_is_gone(export: Path) -> None:
    edit_rows(export, "indicators.csv", lambda rows: rows.remove(rows[0]))  # O1
    rewrite_manifest(export)


FOLDER_CASES = {
    "schema_version 2": (schema_version_2, ["manifest.json", "schema_version '2'"]),
    "a name that leaves the folder": (listed_name("../x.csv"), ["manifest.json", "'../x.csv'"]),
    "invalid UTF-8": (invalid_utf8, ["projects.csv", "not valid UTF-8", "line"]),
    "UTF-16": (utf16, ["partners.csv", "UTF-16"]),
    "an empty file": (empty_file, ["good_practices.csv", "empty"]),
    "a header-only projects.csv": (header_only_projects, ["projects.csv", "(has 0)"]),
    "10x the size, manifest as before": (ten_times_the_size, ["projects.csv", "corrupt"]),
    "10x the rows, hash updated": (
        ten_times_the_rows_with_a_matching_hash,
        ["projects.csv", "2620 records", "manifest says 262"],
    ),
    "European amounts beyond the threshold": (
        european_amounts_in_5_percent_of_rows,
        ["policy_changes.csv", "more than the 1 % allowed", "sf_influenced_eur"],
    ),
    "dangling references beyond the threshold": (
        an_indicator_every_value_refers_to_is_gone,
        ["indicator_values.csv", "more than the 1 % allowed", "indicator_code"],
    ),
}


@pytest.mark.parametrize("variant, named", FOLDER_CASES.values(), ids=FOLDER_CASES.keys())
def test_a_bad_export_fails_naming_the_file_and_publishes_nothing(good, tmp_path, variant, named):
    export = copy_export(SAMPLE_MONITORING_DIR, tmp_path / "export")
    variant(export)
    fails_and_publishes_nothing(good, *named, url=str(export))


# -- HTTP faults that fail the run -------------------------------------------------------------


def serve_export(server: HTTPServer, export: Path, faults=None, refusal: int = 401) -> str:
    """Serve `export` under /export/ to the bearer of TOKEN, answering `refusal` to anyone
    else; `faults(name, request)` may answer instead (a Response) or return None to serve
    the file."""

    def handler(request: Request) -> Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return Response("not for you", status=refusal)
        name = request.path.rsplit("/", 1)[-1]
        answer = faults(name, request) if faults else None
        if answer is not None:
            return answer
        path = export / name
        return Response(path.read_bytes()) if path.is_file() else Response(status=404)

    server.expect_request(re.compile(r"/export/.*")).respond_with_handler(handler)
    return server.url_for("/export")


def test_a_body_that_never_matches_the_manifest_fails_naming_the_file(good, httpserver):
    def corrupt(name, request):
        if name == "projects.csv":
            return Response((SAMPLE_MONITORING_DIR / name).read_bytes().replace(b"PGI", b"PGJ"))
        return None

    fails_and_publishes_nothing(
        good,
        "projects.csv",
        "corrupt",
        url=serve_export(httpserver, SAMPLE_MONITORING_DIR, corrupt),
        token=TOKEN,
    )
    fetches = [r for r, _ in httpserver.log if r.path.endswith("/projects.csv")]
    assert len(fetches) == 2  # fetched once more, then failed


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_fails_at_once_says_so_and_is_never_printed(good_copy, httpserver, status):
    url = serve_export(httpserver, SAMPLE_MONITORING_DIR, refusal=status)
    wrong = "tok-Wrong-77af-never-printed"
    result = fails_and_publishes_nothing(
        good_copy,
        f"{url}/manifest.json",
        f"answered {status}",
        "the configured token was refused",
        url=url,
        token=wrong,
        # Small budgets: should a refusal ever be retried, the server log shows it quickly.
        env=SMALL_BUDGETS,
    )
    assert len(httpserver.log) == 1  # not retried
    assert httpserver.log[0][0].headers.get("Authorization") == f"Bearer {wrong}"
    assert "retry" not in result.stderr
    assert wrong not in result.stdout + result.stderr
    assert wrong.encode() not in b"".join(
        p.read_bytes() for p in good_copy.rglob("*") if p.is_file() and not p.is_symlink()
    )


def test_a_listed_file_that_is_not_found_fails_naming_it(good, httpserver):
    def missing(name, request):
        return Response("not here", status=404) if name == "indicators.csv" else None

    url = serve_export(httpserver, SAMPLE_MONITORING_DIR, missing)
    fails_and_publishes_nothing(good, "indicators.csv", "404", url=url, token=TOKEN)


def test_a_redirect_to_another_host_does_not_carry_the_token(good, httpserver):
    other = HTTPServer(host="127.0.0.1", port=0)
    other.expect_request(re.compile(r".*")).respond_with_handler(
        lambda request: (
            Response("who are you?", status=401)
            if not request.headers.get("Authorization")
            else Response((SAMPLE_MONITORING_DIR / "projects.csv").read_bytes())
        )
    )
    other.start()
    try:
        # localhost, not 127.0.0.1, and another port: another origin.
        elsewhere = f"http://localhost:{other.port}/mirror/projects.csv"

        def redirect(name, request):
            if name == "projects.csv":
                return Response(status=302, headers={"Location": elsewhere})
            return None

        url = serve_export(httpserver, SAMPLE_MONITORING_DIR, redirect)
        result = fails_and_publishes_nothing(good, "projects.csv", url=url, token=TOKEN)
        assert "not sent" in last_line(result.stderr)
        assert len(other.log) == 1
        assert other.log[0][0].headers.get("Authorization") is None
    finally:
        other.stop()


# -- resets, stalls and truncated bodies, from a raw socket server ------------------------------

# Every request of the export gets a read timeout of 1 s and a total budget of 4 s
# (INTERREG_MONITORING_READ_TIMEOUT / _TOTAL_BUDGET): with backoffs of 1 s and 2 s, a
# request that always fails gives up after 2 or 3 attempts, about 3 s after the first.
READ_TIMEOUT, BUDGET = 1.0, 4.0
READ_TIMEOUT_ENV, TOTAL_BUDGET_ENV = (
    "INTERREG_MONITORING_READ_TIMEOUT",
    "INTERREG_MONITORING_TOTAL_BUDGET",
)
SMALL_BUDGETS = {READ_TIMEOUT_ENV: f"{READ_TIMEOUT:g}", TOTAL_BUDGET_ENV: f"{BUDGET:g}"}
# What a machine under load may add to a bound (process start, scheduling).
SLACK = 1.5


def raw_export_server(export: Path = SAMPLE_MONITORING_DIR) -> RawServer:
    """An export under /export/ on a raw socket server (it does not check the token)."""
    files = {f"/export/{p.name}": p.read_bytes() for p in export.iterdir()}
    return RawServer(files, trickle_interval=READ_TIMEOUT / 2)


@pytest.fixture
def raw_server():
    with raw_export_server() as server:
        yield server


def retry_warning(stderr: str, name: str, problem: str) -> re.Match | None:
    """The warning line of the export step for a retry of `name`."""
    return re.search(
        rf"monitoring__export +warning: GET http://127\.0\.0\.1:\d+/export/{re.escape(name)}"
        rf" {problem}.*, retry 1 in",
        stderr,
    )


@pytest.fixture(scope="module")
def raw_faults_run(good, tmp_path_factory, worker_id):
    """One run against a copy of the good warehouse, of the export it holds, over a server
    that resets the connection for projects.csv, truncates partners.csv and stalls on
    progress_reports.csv (reads the request, answers nothing), each once, then serves the
    file. Once for the session: the run, and every request the server saw."""

    def run(folder: Path) -> dict:
        warehouse = copy_warehouse(good, folder / "wh")
        before = published_state(warehouse)
        with raw_export_server(SAMPLE_MONITORING_DIR) as server:
            server.faults = {
                "/export/projects.csv": ["reset"],
                "/export/partners.csv": ["truncate"],
                "/export/progress_reports.csv": ["stall"],
            }
            result = interreg(
                "run",
                warehouse=warehouse,
                url=server.url("/export"),
                token=TOKEN,
                # A budget that a single retry fits in easily, even on a busy machine.
                env={READ_TIMEOUT_ENV: f"{READ_TIMEOUT:g}", TOTAL_BUDGET_ENV: "30"},
            )
        return {"result": result, "seen": server.seen, "warehouse": warehouse, "before": before}

    return built_once(tmp_path_factory, worker_id, "raw-faults-run", run)


def requests_to(seen: list, path: str) -> list:
    return [s for s in seen if s.path == path]


def test_a_connection_reset_once_is_retried_and_the_run_succeeds_saying_so(raw_faults_run):
    result, seen = raw_faults_run["result"], raw_faults_run["seen"]
    assert result.returncode == 0, result.stderr[-3000:]
    warning = retry_warning(result.stderr, "projects.csv", r"failed \(ConnectionError")
    assert warning, result.stderr[-3000:]
    assert [s.fault for s in requests_to(seen, "/export/projects.csv")] == ["reset", "ok"]


def test_a_truncated_body_once_is_retried_and_the_run_succeeds_saying_so(raw_faults_run):
    result, seen = raw_faults_run["result"], raw_faults_run["seen"]
    assert result.returncode == 0, result.stderr[-3000:]
    warning = retry_warning(result.stderr, "partners.csv", r"broke off mid-body")
    assert warning, result.stderr[-3000:]
    assert [s.fault for s in requests_to(seen, "/export/partners.csv")] == ["truncate", "ok"]


def test_a_stall_once_is_retried_after_the_read_timeout_and_the_run_succeeds(raw_faults_run):
    result, seen = raw_faults_run["result"], raw_faults_run["seen"]
    assert result.returncode == 0, result.stderr[-3000:]
    warning = retry_warning(result.stderr, "progress_reports.csv", r"failed \(\w*Timeout")
    assert warning, result.stderr[-3000:]
    stalled, served = requests_to(seen, "/export/progress_reports.csv")
    assert (stalled.fault, served.fault) == ("stall", "ok")
    assert stalled.closed_at is not None  # the client gave up on it...
    waited = stalled.closed_at - stalled.at
    assert READ_TIMEOUT * 0.9 <= waited <= READ_TIMEOUT + SLACK  # ...after the read timeout


def test_files_fetched_again_after_faults_are_whole_and_the_token_is_never_printed(
    raw_faults_run,
):
    result, seen = raw_faults_run["result"], raw_faults_run["seen"]
    warehouse, before = raw_faults_run["warehouse"], raw_faults_run["before"]
    assert result.returncode == 0, result.stderr[-3000:]
    # Byte for byte the files the warehouse holds: nothing to load, build or publish.
    assert re.search(r"monitoring_raw_tables +info: every file is unchanged", result.stderr)
    assert published_state(warehouse) == before
    assert leftovers(warehouse) == []
    assert not list((warehouse / "landing" / "monitoring" / ".tmp").glob("*"))
    assert all(f"Authorization: Bearer {TOKEN}".encode() in s.head for s in seen)
    assert TOKEN not in result.stdout + result.stderr


def attempts_within_the_budget(server: RawServer, path: str) -> list:
    """The requests for `path`: retried, and all of them within the total budget."""
    seen = server.requests_to(path)
    assert 2 <= len(seen) <= 3, [s.fault for s in seen]  # retried, then given up
    assert seen[-1].at - seen[0].at <= BUDGET
    return seen


def test_a_connection_reset_on_every_attempt_fails_within_the_budget_naming_the_url(
    good_copy, raw_server
):
    raw_server.faults["/export/projects.csv"] = "reset"
    url = raw_server.url("/export")
    result = fails_and_publishes_nothing(
        good_copy,
        f"GET {url}/projects.csv failed",
        f"total time budget of {BUDGET:g} s is used up",
        "ConnectionError",
        url=url,
        token=TOKEN,
        env=SMALL_BUDGETS,
    )
    attempts_within_the_budget(raw_server, "/export/projects.csv")
    assert retry_warning(result.stderr, "projects.csv", r"failed \(ConnectionError")
    assert TOKEN not in result.stdout + result.stderr


def test_a_body_truncated_on_every_attempt_fails_within_the_budget_naming_the_url(
    good_copy, raw_server
):
    raw_server.faults["/export/partners.csv"] = "truncate"
    url = raw_server.url("/export")
    fails_and_publishes_nothing(
        good_copy,
        f"GET {url}/partners.csv failed",
        f"total time budget of {BUDGET:g} s is used up",
        "broke off mid-body",
        url=url,
        token=TOKEN,
        env=SMALL_BUDGETS,
    )
    attempts_within_the_budget(raw_server, "/export/partners.csv")


@pytest.mark.parametrize(
    "fault", ["stall", "stall_body"], ids=["nothing sent", "headers and half the body sent"]
)
def test_a_stalling_server_fails_within_the_read_timeout_and_budget_naming_the_url(
    good_copy, raw_server, fault
):
    raw_server.faults["/export/indicator_values.csv"] = fault
    url = raw_server.url("/export")
    fails_and_publishes_nothing(
        good_copy,
        f"GET {url}/indicator_values.csv failed",
        f"total time budget of {BUDGET:g} s is used up",
        "timed out",
        url=url,
        token=TOKEN,
        env=SMALL_BUDGETS,
    )
    seen = attempts_within_the_budget(raw_server, "/export/indicator_values.csv")
    for attempt in seen:  # each attempt ended by the client, after the read timeout
        assert attempt.closed_at is not None
        assert READ_TIMEOUT * 0.9 <= attempt.closed_at - attempt.at <= READ_TIMEOUT + SLACK
    assert seen[-1].closed_at - seen[0].at <= BUDGET + SLACK


@pytest.mark.parametrize(
    "fault, message",
    [
        ("trickle", f"the total time budget of {BUDGET:g} s ran out after"),
        ("trickle_head", f"the total time budget of {BUDGET:g} s ran out waiting for"),
    ],
    ids=["the body", "the headers"],
)
def test_a_trickling_server_fails_when_the_budget_runs_out_naming_the_url(
    good_copy, raw_server, fault, message
):
    """A byte every half read timeout: no read ever times out, only the budget can end it."""
    raw_server.faults["/export/indicator_values.csv"] = fault
    url = raw_server.url("/export")
    fails_and_publishes_nothing(
        good_copy,
        f"GET {url}/indicator_values.csv: {message}",
        url=url,
        token=TOKEN,
        env=SMALL_BUDGETS,
    )
    (attempt,) = raw_server.requests_to("/export/indicator_values.csv")  # the budget is gone
    assert attempt.closed_at is not None
    if fault == "trickle":  # the client closed the connection when the budget ran out
        assert BUDGET * 0.9 <= attempt.closed_at - attempt.at <= BUDGET + SLACK
    else:  # the request was left behind at the budget, closed as the run ended
        assert attempt.closed_at - attempt.at <= BUDGET + 60


# -- a run over HTTP with a token: retries, an unchanged export, secrets, readers ------------

LONG_QUERY = (
    "SELECT (SELECT count(*) FROM audit.runs), count(*), sum(hash(v.report_id, r.report_id))"
    " FROM raw_monitoring.indicator_values v, raw_monitoring.progress_reports r"
)
# A reader in its own process, as analysts are: it opens the published file, says so and,
# when told to (a line on stdin), runs LONG_QUERY (about a second) again and again until the
# published file is another one, which makes its last query one that ran across the publish.
READER = f"""
import json, os, sys, time, duckdb
path = sys.argv[1]
opened = os.stat(path).st_ino
con = duckdb.connect(path, read_only=True)
con.execute("SET threads = 1")
con.execute("SET enable_progress_bar = false")
print("open", flush=True)
sys.stdin.readline()
queries, deadline = [], time.monotonic() + 600
while time.monotonic() < deadline:
    at_start = os.stat(path).st_ino
    result = list(con.execute({LONG_QUERY!r}).fetchone())
    queries.append({{"inode_at_start": at_start, "inode_at_end": os.stat(path).st_ino,
                     "result": result}})
    if queries[-1]["inode_at_end"] != opened:
        break
print(json.dumps({{"inode_at_open": opened, "queries": queries}}), flush=True)
"""


@pytest.fixture(scope="module")
def http_run(good, reshaped, tmp_path_factory, worker_id):
    """The sample exported again in another byte shape, over HTTP, from a server that answers
    503 and 429 with Retry-After once, sends one corrupt body, and echoes the token in a
    header; with a BI connection held open for the whole run and a long query started as it
    publishes."""

    def run(folder: Path) -> dict:
        # A copy: the run publishes, and `good` must stay as it was for every other test.
        warehouse = copy_warehouse(good, folder / "wh")
        dagster_home = folder / "dagster_home"
        dagster_home.mkdir()
        answered: set[str] = set()

        def faults(name: str, request: Request) -> Response | None:
            first = name not in answered
            answered.add(name)
            echo = {"X-Echo-Authorization": request.headers.get("Authorization", "")}
            if first and name == "manifest.json":
                return Response("busy", status=503, headers={"Retry-After": "1", **echo})
            if first and name == "projects.csv":
                return Response("slow down", status=429, headers={"Retry-After": "1", **echo})
            data = (reshaped / name).read_bytes()
            if first and name == "partners.csv":
                data = data.replace(b"lead", b"LEAD", 1)
            return Response(data, headers=echo)

        server = HTTPServer(host="127.0.0.1", port=0)
        server.start()
        url = serve_export(server, reshaped, faults)
        before = {
            "marts": mart_hashes(warehouse),
            "state": published_state(warehouse),
            "inode": published(warehouse).stat().st_ino,
            "tables": table_names(published(warehouse)),
        }
        bi = duckdb.connect(str(published(warehouse)), read_only=True)
        runs_before = bi.execute("SELECT count(*) FROM audit.runs").fetchone()[0]
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(published(warehouse))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        run = None
        try:
            assert reader.stdout.readline().strip() == "open"
            run = Background(
                start_interreg(
                    "run",
                    warehouse=warehouse,
                    url=url,
                    token=TOKEN,
                    env={"DAGSTER_HOME": str(dagster_home)},
                )
            )
            run.wait_for_line("warehouse__published", "started")
            reader.stdin.write("go\n")
            reader.stdin.flush()
            returncode = run.finish()
            if returncode != 0:  # the published file stays: the reader would wait in vain
                reader.kill()
            seen = json.loads(last_line(reader.communicate(timeout=120)[0]) or "{}")
            bi_after = bi.execute("SELECT count(*) FROM audit.runs").fetchone()[0]
        finally:
            if run is not None and run.process.poll() is None:
                run.kill()
            bi.close()
            reader.kill()
            server.stop()
        return {
            "returncode": returncode,
            "stdout": run.stdout,
            "stderr": run.stderr,
            "requests": [request.path.rsplit("/", 1)[-1] for request, _ in server.log],
            "before": before,
            "runs_before": runs_before,
            "bi_after": bi_after,
            "reader": seen,
            "dagster_home": dagster_home,
            "warehouse": warehouse,
            "export": reshaped,
        }

    return built_once(tmp_path_factory, worker_id, "http-run", run)


def test_503_429_and_a_corrupt_body_are_retried_the_run_succeeds_and_the_log_says_so(http_run):
    assert http_run["returncode"] == 0, http_run["stderr"][-3000:]
    stderr = http_run["stderr"]
    # Each retry is a warning of the export step, in the run's log and on the terminal.
    assert re.search(r"monitoring__export +warning: GET \S+/manifest\.json answered 503", stderr)
    assert re.search(r"monitoring__export +warning: GET \S+/projects\.csv answered 429", stderr)
    assert re.search(r"monitoring__export +warning: partners\.csv hashes to \w+", stderr)
    requests = http_run["requests"]
    assert requests.count("manifest.json") == 2
    assert requests.count("projects.csv") == 2
    assert requests.count("partners.csv") == 2


def test_the_same_data_in_another_byte_shape_is_loaded_built_and_gives_identical_marts(
    http_run,
):
    assert http_run["returncode"] == 0, http_run["stderr"][-3000:]
    warehouse = http_run["warehouse"]
    assert published(warehouse).stat().st_ino != http_run["before"]["inode"]
    assert mart_hashes(warehouse) == http_run["before"]["marts"]
    assert table_names(published(warehouse)) == http_run["before"]["tables"]
    assert_headline_matches_reference(warehouse, http_run["export"])
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        drift = con.execute("SELECT file, column_name FROM audit.schema_drift").fetchall()
    assert drift == [("projects.csv", EXTRA_COLUMN)]


def test_an_unchanged_export_is_not_validated_loaded_built_or_published_again(
    good_copy, httpserver
):
    # The good warehouse read the sample from its folder: the same files, now over HTTP.
    url = serve_export(httpserver, SAMPLE_MONITORING_DIR)
    before = published_state(good_copy)
    result = interreg("run", warehouse=good_copy, url=url, token=TOKEN)
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r"monitoring_raw_tables +info: every file is unchanged", result.stderr), (
        result.stderr
    )
    assert re.search(r"dbt_models +info: .*dbt is not run", result.stderr), result.stderr
    assert published_state(good_copy) == before
    records = [json.loads(line) for line in (good_copy / "runs.jsonl").read_text().splitlines()]
    assert records[-1]["status"] == "unchanged"
    assert leftovers(good_copy) == []


def test_the_token_is_in_no_output_log_file_table_or_run_storage(http_run):
    assert http_run["returncode"] == 0, http_run["stderr"][-3000:]
    assert TOKEN not in http_run["stdout"] + http_run["stderr"]
    warehouse, dagster_home = http_run["warehouse"], http_run["dagster_home"]
    files = [
        p
        for root in (warehouse, dagster_home)
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink()
    ]
    assert any(p.suffix == ".db" for p in files if p.is_relative_to(dagster_home))
    for path in files:
        assert TOKEN.encode() not in path.read_bytes(), path
    # The server echoed the token in a header of its own: landed masked, never in clear.
    sidecars = [json.loads(p.read_text()) for p in warehouse.glob("landing/monitoring/*.meta.json")]
    echoed = [
        s["headers"]["X-Echo-Authorization"]
        for s in sidecars
        if "X-Echo-Authorization" in s["headers"]
    ]
    assert echoed and set(echoed) == {"Bearer ***"}
    # Strings in the file may be compressed: ask DuckDB too, every text column of every table.
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        columns = con.execute(
            "SELECT schema_name, table_name, column_name FROM duckdb_columns()"
            " WHERE data_type IN ('VARCHAR', 'JSON') AND NOT internal"
        ).fetchall()
        assert columns
        for schema, table, column in columns:
            hits = con.execute(
                f'SELECT count(*) FROM "{schema}"."{table}" WHERE contains("{column}", ?)', [TOKEN]
            ).fetchone()[0]
            assert hits == 0, (schema, table, column)


def test_a_long_query_during_the_publish_keeps_its_consistent_view(http_run):
    assert http_run["returncode"] == 0, http_run["stderr"][-3000:]
    seen, before = http_run["reader"], http_run["before"]
    assert seen["inode_at_open"] == before["inode"]
    # The last query started on the old file and ended after the new one was published...
    during = seen["queries"][-1]
    assert during["inode_at_start"] == before["inode"], seen
    assert during["inode_at_end"] == published(http_run["warehouse"]).stat().st_ino
    assert during["inode_at_end"] != before["inode"]
    # ...and every query answered from the old file, whole and the same.
    assert {json.dumps(q["result"]) for q in seen["queries"]} == {json.dumps(during["result"])}
    runs, rows, _ = during["result"]
    assert runs == http_run["runs_before"]
    assert rows > 10_000_000


def test_a_read_only_connection_held_for_the_whole_run_keeps_working(http_run):
    assert http_run["returncode"] == 0, http_run["stderr"][-3000:]
    assert http_run["bi_after"] == http_run["runs_before"]


# -- a hostile export: SQL and formula text everywhere, and rows to quarantine ---------------
# The session's hostile run (tests/e2e/conftest.py) reads it with a hostile keep.eu workbook
# (test_keep_bad_files.py): these tests read the monitoring part.


def test_text_with_quotes_semicolons_and_comments_arrives_exactly_and_drops_nothing(
    hostile_run, good
):
    export, warehouse = hostile_run["export"], hostile_run["warehouse"]
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        for spec in MONITORING.files:
            header, rows = read_rows(export / spec.name)
            columns = FREE_TEXT[spec.name] + ([DRIFT_COLUMN] if DRIFT_COLUMN in header else [])
            if not columns:
                continue
            selected = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
            loaded = con.execute(
                f"SELECT _row_number, {selected} FROM raw_monitoring.{spec.table}"
            ).fetchall()
            assert len(loaded) > 0.98 * len(rows)
            for number, *values in loaded:
                expected = [rows[number - 1][c] for c in columns]
                assert values == expected, (spec.name, number)
        titles = dict(con.execute("SELECT project_id, title FROM marts.projects").fetchall())
        source = {r["project_id"]: r["title"] for r in read_rows(export / "projects.csv")[1]}
        assert titles == {p: source[p] for p in titles}
        assert titles[hostile_run["monitoring"]["formula_project"]] == FORMULA
        assert sum(t.endswith(HOSTILE) for t in titles.values()) == len(titles) - 1
        drift = con.execute(
            "SELECT file, column_name FROM audit.schema_drift WHERE source = 'monitoring'"
        ).fetchall()
        descriptions = con.execute("SELECT description FROM marts.policy_changes").fetchall()
        names = con.execute("SELECT region_name FROM marts.regional_coverage").fetchall()
    assert drift == [("projects.csv", DRIFT_COLUMN)]
    assert all(d.endswith(HOSTILE) or d == "@SUM(1+1)" for (d,) in descriptions)
    assert all(n is None or n.endswith(HOSTILE) for (n,) in names)
    # No table was dropped (or added): the same tables as the good warehouse.
    assert table_names(published(warehouse)) == table_names(published(good))


def test_formulas_come_out_as_text_in_the_marts_and_the_exports(hostile_run):
    warehouse = hostile_run["warehouse"]
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        organisations = con.execute(
            "SELECT organisation_name FROM marts.policy_changes WHERE partner_id = ?",
            [hostile_run["monitoring"]["formula_partner"]],
        ).fetchall()
    assert organisations and {o for (o,) in organisations} == {FORMULA}

    with open(warehouse / "exports" / "policy_changes.csv", encoding="utf-8-sig", newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert "'" + FORMULA in cells and "'@SUM(1+1)" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@"))]

    sheet = openpyxl.load_workbook(warehouse / "exports" / "policy_changes.xlsx").active
    formula_cells = [
        c for row in sheet.iter_rows() for c in row if c.value in (FORMULA, "@SUM(1+1)")
    ]
    assert len(formula_cells) >= 2
    assert {c.data_type for c in formula_cells} == {"s"}
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_bad_rows_are_quarantined_with_file_column_and_check_and_the_rest_published(hostile_run):
    result, warehouse = hostile_run["result"], hostile_run["warehouse"]
    assert re.search(
        r"monitoring_raw_tables +warning: \d+ rule failures quarantined in audit\.rejected_rows",
        result.stderr,
    )
    with duckdb.connect(str(published(warehouse)), read_only=True) as con:
        rejected = set(
            con.execute(
                "SELECT file, column_name, check_name FROM audit.rejected_rows"
                " WHERE source = 'monitoring'"
            ).fetchall()
        )
        counts = dict(
            con.execute(
                "SELECT file, rows_rejected FROM audit.loaded_files WHERE source = 'monitoring'"
            ).fetchall()
        )
    assert rejected == hostile_run["monitoring"]["quarantined"]
    assert counts["good_practices.csv"] == 5  # both rows of the duplicate key, and 3 more
    assert counts["policy_changes.csv"] == 2
    assert counts["indicator_values.csv"] == 1


# -- crashes: SIGKILL at the worst moments, then the next run -------------------------------


def test_runs_killed_after_download_in_the_load_and_in_the_publish_leave_no_trace(
    good_copy, tmp_path
):
    """Three runs of a changed export, each killed (SIGKILL, the whole process group) at a
    pause point (pipelines/crash_points.py), each next run starting over the wreck of the one
    before; then a run that succeeds. A kill during dbt: tests/e2e/test_operations.py."""
    export = copy_export(SAMPLE_MONITORING_DIR, tmp_path / "export")
    changed = sample_rows("projects.csv")[0]["project_id"]
    edit_rows(export, "projects.csv", lambda rows: rows[0].update(title="A title, changed"))
    rewrite_manifest(export)
    projects_sha = next(
        f["sha256"] for f in read_manifest(export)["files"] if f["name"] == "projects.csv"
    )
    before = published_state(good_copy)

    for point in ("download", "load", "publish"):
        run = Background(
            start_interreg("run", warehouse=good_copy, url=str(export), env={PAUSE_AT: point})
        )
        run.wait_for_line(f"paused at {point}")
        if point == "download":  # landed, not loaded
            assert (good_copy / "landing" / "monitoring" / f"{projects_sha}.csv").exists()
        if point == "publish":  # the build is a release now, not yet the published file
            assert len(list((good_copy / "releases").iterdir())) == len(before["releases"]) + 1
        run.kill()
        after = published_state(good_copy)
        assert after["sha256"] == before["sha256"], point
        assert after["exports"] == before["exports"], point

    result = interreg("run", warehouse=good_copy, url=str(export))
    assert result.returncode == 0, result.stderr[-3000:]
    assert leftovers(good_copy) == []
    with duckdb.connect(str(published(good_copy)), read_only=True) as con:
        title = con.execute(
            "SELECT title FROM marts.projects WHERE project_id = ?", [changed]
        ).fetchone()
    assert title == ("A title, changed",)
    # The release the killed publish left was never published: gone, so that a rollback
    # goes back to the file that was published before the crashes.
    releases = sorted(p.name for p in (good_copy / "releases").iterdir())
    assert releases[:-1] == before["releases"][-(len(releases) - 1) :]
    rollback = interreg("rollback", warehouse=good_copy)
    assert rollback.returncode == 0, rollback.stderr
    assert file_hash(published(good_copy)) == before["sha256"]
