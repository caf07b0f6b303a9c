"""`interreg`: run the pipeline and read its results from the published warehouse."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import redirect_stdout
from datetime import date

from pipelines.config import Settings
from pipelines.errors import PipelineError
from pipelines.warehouse.store import Warehouse, utc_now
from pipelines.warehouse.summary import headline_as_of, headline_table


def main(argv: list[str] | None = None) -> int:
    args = command_line().parse_args(argv)
    try:
        if args.command == "run":
            return run(force=args.force)
        if args.command == "rollback":
            return rollback()
        if args.command == "postgres-reader":
            return postgres_reader(args.password_env)
        if args.command == "report":
            from pipelines.report.cli import write_report

            return write_report(Settings.from_env(), args.as_of)
        return print_headline(args.as_of)
    except PipelineError as error:
        print(f"interreg {args.command} failed: {error}", file=sys.stderr)
        return 1


def command_line() -> argparse.ArgumentParser:
    """Every command and its options (the README's command table lists the same)."""
    parser = argparse.ArgumentParser(prog="interreg", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run_command = commands.add_parser(
        "run", help="fetch, validate, load, build and publish everything"
    )
    run_command.add_argument(
        "--force",
        action="store_true",
        help="reload, rebuild and publish even when no source file and no code changed",
    )
    commands.add_parser("rollback", help="publish the release before the current one again")
    headline = commands.add_parser("headline", help="print the headline results")
    headline.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the figures of the last as-of date on or before this one (default: the latest)",
    )
    report = commands.add_parser(
        "report", help="write the results page to $INTERREG_WAREHOUSE_DIR/site/"
    )
    report.add_argument(
        "--as-of",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the figures of the last as-of date on or before this one (default: the latest)",
    )
    reader = commands.add_parser(
        "postgres-reader",
        help="create (or set the password of) the read-only role interreg_reader for BI tools"
        " in the database of INTERREG_POSTGRES_URL",
    )
    reader.add_argument(
        "--password-env",
        required=True,
        metavar="VAR",
        help="the environment variable holding the role's password (never an argument: ps"
        " would show it)",
    )
    return parser


def run(*, force: bool = False) -> int:
    """Materialise every asset in this process; publish only if everything passed.

    Progress goes to stderr one line a step; dbt's own output goes to a log file.
    """
    from dagster import DagsterInstance

    from pipelines.transform.project import ensure_manifest
    from pipelines.warehouse.fingerprint import FORCE_TAG

    ensure_manifest()
    from pipelines.definitions import build_definitions  # needs the dbt manifest at import

    settings = Settings.from_env()
    log_path = settings.warehouse_dir / "logs" / f"run-{utc_now():%Y%m%dT%H%M%SZ}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    job = build_definitions(settings).resolve_job_def("refresh_warehouse")
    instance = (
        DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    )
    with instance, open(log_path, "w", encoding="utf-8") as log, redirect_stdout(log):
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, tags={FORCE_TAG: "true"} if force else None
        )
    if not result.success:
        print(f"dbt's output for this run: {log_path}", file=sys.stderr)
        summary = failure_summary(result)
        if any(
            e.is_step_success and e.step_key == PUBLISH_STEP for e in result.all_events
        ):  # a step after publishing failed (the results page): the warehouse stands
            summary = f"the warehouse is published, but {summary}"
        print(f"interreg run failed: {summary}", file=sys.stderr)
        return 1
    return print_headline(None)


PUBLISH_STEP = "warehouse__published"


def rollback() -> int:
    """Publish the previous release again, then its results page."""
    from pipelines.report.site import refresh_published_page

    settings = Settings.from_env()
    warehouse = Warehouse(settings.warehouse_dir)
    with warehouse.write_lock():
        release = warehouse.rollback()
        warehouse.record_run(
            {
                "run_id": f"rollback-{utc_now():%Y%m%dT%H%M%SZ}",
                "finished_at": utc_now().isoformat(),
                "status": "rollback",
                "error": f"published {release.name} again",
            }
        )
        print(f"published {release.name} again: {warehouse.published_path}")
        try:
            refresh_published_page(warehouse.directory, settings.nuts_url)
        except PipelineError as error:
            raise PipelineError(f"the release is published again, but its page: {error}") from None
    return 0


def postgres_reader(password_env: str) -> int:
    """Set up the read-only role BI tools log in as (pipelines/postgres/reader.py)."""
    from pipelines.postgres.connection import redact_url
    from pipelines.postgres.reader import READER_ROLE, create_reader_role

    settings = Settings.from_env()
    password = os.environ.get(password_env) or ""
    if not settings.postgres_url:
        raise PipelineError("set INTERREG_POSTGRES_URL to the database, as a role that may grant")
    if not password:
        raise PipelineError(f"{password_env} is unset or empty: put the role's password there")
    create_reader_role(settings.postgres_url, password)
    print(
        f"{READER_ROLE} can log in to {redact_url(settings.postgres_url)} and read schema marts"
        " (and interreg.release, the release it holds); it can write nothing"
    )
    return 0


def error_names(cls: type = PipelineError) -> set[str]:
    """The names of our own error classes: their messages say all, without the class."""
    return {cls.__name__}.union(*(error_names(sub) for sub in cls.__subclasses__()))


def failure_summary(result) -> str:
    """The first failure of a run, as one line: which step, and what it said."""
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        if error is None or not (
            event.is_step_failure or event.is_failure or "FAILURE" in event.event_type_value
        ):
            continue
        # Unwrap Dagster's own wrappers down to the error our code raised.
        while error.cause is not None and error.cls_name.startswith("Dagster"):
            error = error.cause
        message = error.message.strip().splitlines()[0]
        if error.cls_name in error_names():  # their message is the whole story: drop the class
            message = message.split(": ", 1)[-1]
        where = f"{event.step_key}: " if event.step_key else ""
        return where + message
    return "the run did not succeed; see the Dagster log above"


def print_headline(as_of: date | None) -> int:
    warehouse = Warehouse(Settings.from_env().warehouse_dir)
    with warehouse.connect_published() as con:
        found = headline_as_of(con, as_of)
    if found is None:
        print("no headline results on or before that date", file=sys.stderr)
        return 1
    print(headline_table(*found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
