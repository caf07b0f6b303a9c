"""`INTERREG_TEST_PAUSE_AT`: hold a run at a named point so that a test can SIGKILL it there.

Why this exists: the crash tests (tests/e2e/test_faults.py) kill `interreg run` at the worst
moments: inside the load's open transaction, and between the renames that publish a build.
Those moments last microseconds, and a kill sent from outside cannot be timed to land in
them. With the variable set to a point's name, the run prints `paused at <point>` on stderr
and sleeps there; the test waits for that line and kills the process group.

This is the only place the variable is read. Unset (as it always is outside tests), a
pause point does nothing. Points: `download` (the monitoring export landed, nothing loaded),
`load` (raw tables written in the build, the transaction not committed), `publish` (the
build moved into releases/, the published file not yet replaced).
"""

from __future__ import annotations

import os
import sys
import time

ENV = "INTERREG_TEST_PAUSE_AT"
PAUSE_SECONDS = 600.0


def pause_point(name: str) -> None:
    if os.environ.get(ENV) != name:
        return
    print(f"paused at {name} ({ENV})", file=sys.stderr, flush=True)
    time.sleep(PAUSE_SECONDS)
