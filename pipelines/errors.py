"""Errors that stop a run. Each says what failed in words an operator can act on."""

from __future__ import annotations


class PipelineError(Exception):
    """A run cannot go on; nothing is published."""


class SourceError(PipelineError):
    """A source could not be read: unreachable, refused, corrupt. Names the URL or path."""


class ConfigurationError(SourceError):
    """The source refused our configuration (e.g. a 401/403 on the token); retrying won't help."""


class ContractError(PipelineError):
    """A file breaks its contract as a whole. Names the file and, where known, row and column."""

    def __init__(
        self, file: str, message: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.row, self.column, self.detail = file, row, column, message
        where = [file]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")
