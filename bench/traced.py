"""`interreg` exactly as the console script runs it, noting when each step ran.

    python -m bench.traced TRACE.json run

Calls pipelines.cli.main with the arguments after TRACE.json, in this process, as
.venv/bin/interreg does; the only addition is a look at every event the run's Dagster
instance handles (ephemeral or not: DAGSTER_HOME decides, as for the user). At exit it
writes TRACE.json: each step's start and end (epoch seconds) and the `stage_timings` that
the raw-tables steps record (monitoring: parse, validate, load; keep.eu: read, validate,
convert, load). Reading the events this way costs
microseconds per event and needs no run history, so the pipeline is measured as it runs
without DAGSTER_HOME, the way the e2e tests and a plain `.venv/bin/interreg run` run it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

STAGE_TIMINGS = "stage_timings"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    trace_path, cli_args = Path(args[0]), args[1:]
    trace: dict = {"steps": {}, "stage_timings": {}, "events": 0}

    from dagster import DagsterEventType, DagsterInstance

    def note(entry) -> None:  # noqa: ANN001 - an EventLogEntry
        trace["events"] += 1
        event = entry.dagster_event
        if event is None or entry.step_key is None:
            return
        step = trace["steps"].setdefault(entry.step_key, {})
        if event.event_type == DagsterEventType.STEP_START:
            step["start"] = entry.timestamp
        elif event.event_type in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            step["end"] = entry.timestamp
            step["succeeded"] = event.event_type == DagsterEventType.STEP_SUCCESS
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            metadata = event.event_specific_data.materialization.metadata
            if STAGE_TIMINGS in metadata:
                value = metadata[STAGE_TIMINGS]
                trace["stage_timings"][entry.step_key] = getattr(value, "data", value)

    handle_new_event = DagsterInstance.handle_new_event

    def handle(self, event, *args, **kwargs):  # noqa: ANN001, ANN202
        try:
            note(event)
        except Exception as error:  # noqa: BLE001 - the trace must never break the run
            trace.setdefault("trace_errors", []).append(repr(error))
        return handle_new_event(self, event, *args, **kwargs)

    DagsterInstance.handle_new_event = handle

    from pipelines.cli import main as interreg

    try:
        code = interreg(cli_args)
    finally:
        trace_path.write_text(json.dumps(trace, indent=1, default=str), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
