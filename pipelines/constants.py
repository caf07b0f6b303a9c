"""Values that several packages share. It imports nothing of the project, so that any
module may import it without making a cycle between packages (tests/unit/test_layering.py)."""

from __future__ import annotations

from datetime import timedelta

# The published warehouse's file name, in the warehouse folder and in every build folder.
PUBLISHED_FILE_NAME = "interreg.duckdb"

# The weekly refresh (pipelines/ops/automation.py): Mondays 05:00, Brussels time.
WEEKLY_REFRESH_CRON = "0 5 * * 1"
# The weekly schedule plus a day's grace: a mart older than that means runs are failing.
STALE_AFTER = timedelta(days=8)
STALE_WARNING_AFTER = timedelta(days=7, hours=6)
