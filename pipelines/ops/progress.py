"""A terminal logger that shows a run's progress: steps, their time, warnings, failures.

Dagster's default console logger prints every engine event; an operator wants one line a
step. Used for every run of the code location (Definitions(loggers=...)).
"""

from __future__ import annotations

import logging
import re
import sys

from dagster import Field, logger

_SHOWN_EVENTS = {
    "STEP_START": "started",
    "STEP_SUCCESS": "done",
    "STEP_FAILURE": "FAILED",
    "STEP_SKIPPED": "skipped",
    "RUN_SUCCESS": "run succeeded",
    "RUN_FAILURE": "run FAILED",
}


class ProgressFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        step = meta.get("step_key") or ""
        event = meta.get("dagster_event")
        time = self.formatTime(record, "%H:%M:%S")
        if event is not None:
            text = _SHOWN_EVENTS[event.event_type_value]
            if event.event_type_value == "STEP_SUCCESS":
                text += f" in {event.event_specific_data.duration_ms / 1000:.1f} s"
            return f"{time}  {step:<28} {text}".rstrip()
        message = once_each(meta.get("orig_message", record.getMessage()))
        return f"{time}  {step:<28} {record.levelname.lower()}: {message}"


# Dagster's "Dependencies for step X failed: ['dbt_models', 'dbt_models', ...]" names a
# failed step once per input of X it feeds: 42 times for the dbt assets. A list of steps.
_STEP_LIST = re.compile(r"\[('[^']*'(?:, '[^']*')*)\]")


def once_each(message: str) -> str:
    """Dagster's message of a step not run, with each step of its lists once."""
    if not message.startswith("Dependencies for step"):
        return message
    return _STEP_LIST.sub(
        lambda found: "[" + ", ".join(dict.fromkeys(found[1].split(", "))) + "]", message
    )


class ProgressFilter(logging.Filter):
    """Step and run events, and what the assets themselves log at INFO and above."""

    def filter(self, record: logging.LogRecord) -> bool:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is not None:
            return event.event_type_value in _SHOWN_EVENTS
        return record.levelno >= logging.INFO


@logger(
    config_schema={"log_level": Field(str, is_required=False, default_value="DEBUG")},
    description="One line a step on stderr, with the warnings and errors of the run.",
)
def progress_logger(init_context) -> logging.Logger:
    log = logging.Logger("interreg", level=init_context.logger_config["log_level"])
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ProgressFormatter())
    handler.addFilter(ProgressFilter())
    log.addHandler(handler)
    return log
