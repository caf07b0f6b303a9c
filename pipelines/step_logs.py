"""What our modules log with `logging` goes to the Dagster step that runs them.

Steps of every layer use it (sources, transform), so it sits in the base layer beside the
settings and the errors, and imports nothing of the project.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _ToStepLog(logging.Handler):
    def __init__(self, step_log: logging.Logger) -> None:
        super().__init__()
        self._step_log = step_log

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._step_log.log(record.levelno, record.getMessage())
        except Exception:  # a log line must never fail the step
            self.handleError(record)


@contextmanager
def python_logs_to_step(context, name: str = "pipelines") -> Iterator[None]:
    """While a step runs, what our modules log with `logging` goes to the step's log.

    The HTTP client, the landing and the extractors log with plain `logging` (they know
    nothing of Dagster): a retry after a 503 or a file fetched again after a hash mismatch.
    Without this those lines reached stderr only by Python's last-resort handler: bare,
    without time or step, and never in the Dagster run's log. Here they become events of the
    step, shown by the progress logger and kept with the run.
    """
    source = logging.getLogger(name)
    handler = _ToStepLog(context.log)
    handler.setLevel(logging.INFO)
    level = source.level
    source.addHandler(handler)
    if source.getEffectiveLevel() > logging.INFO:
        source.setLevel(logging.INFO)
    try:
        yield
    finally:
        source.removeHandler(handler)
        source.setLevel(level)
