"""The README's command table lists every `interreg` command."""

from __future__ import annotations

import argparse

from pipelines.cli import command_line
from pipelines.config import REPO_ROOT


def test_the_readme_lists_every_command():
    (commands,) = (
        action
        for action in command_line()._actions
        if isinstance(action, argparse._SubParsersAction)
    )
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in commands.choices if f"| `interreg {name}" not in readme]
    assert not missing, f"add to the README's command table: {missing}"
