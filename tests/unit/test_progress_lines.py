"""The run's progress lines on stderr (pipelines/ops/progress.py): a step that is not run
names each failed step it waited for once."""

from __future__ import annotations

import logging

from pipelines.ops.progress import ProgressFormatter


def line(message: str, step: str = "warehouse__published") -> str:
    record = logging.LogRecord("interreg", logging.ERROR, __file__, 1, message, None, None)
    record.dagster_meta = {"step_key": step, "orig_message": message}
    return ProgressFormatter().format(record).split("  ", 1)[1].strip()


def test_a_step_not_run_names_each_failed_step_once():
    # Dagster's words when dbt_models failed: once per dbt asset the step depends on.
    failed = ", ".join(["'dbt_models'"] * 42 + ["'keep_raw_tables'", "'dbt_models'"])
    message = f"Dependencies for step warehouse__published failed: [{failed}]. Not executing."
    assert line(message) == (
        "warehouse__published         error: Dependencies for step warehouse__published"
        " failed: ['dbt_models', 'keep_raw_tables']. Not executing."
    )


def test_other_messages_keep_their_lists():
    message = "loaded ['a', 'a']"
    assert line(message, "x").endswith("error: loaded ['a', 'a']")
