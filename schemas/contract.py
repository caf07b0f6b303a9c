"""The vocabulary a source contract is written in: files, columns, keys, references, rules.

One declaration serves three readers: the Pandera schemas (what a valid row is), the
loader (which DuckDB type a column becomes) and the cascade of quarantined rows (which
rows depend on which).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa

from schemas.sql import rows_passing

# The contract's types and the DuckDB type each becomes in the raw tables.
SQL_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "amount": "DECIMAL(18,2)",
    "integer": "BIGINT",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a key of SQL_TYPES
    required: bool = False
    values: tuple[str, ...] | None = None  # the allowed codes, where the contract lists them
    pattern: str | None = None  # a full-match regular expression for codes
    min_value: int | None = None  # for integers
    max_value: int | None = None

    def __post_init__(self) -> None:
        if self.type not in SQL_TYPES:
            raise ValueError(f"column {self.name}: unknown contract type {self.type!r}")

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]


@dataclass(frozen=True)
class Reference:
    """Rows of this file point at rows of `file` through `columns` -> `target_columns`."""

    columns: tuple[str, ...]
    file: str
    target_columns: tuple[str, ...]


@dataclass(frozen=True)
class FileSpec:
    name: str  # the file name in the export, e.g. "projects.csv"
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    unique: tuple[tuple[str, ...], ...] = ()  # further unique column sets
    references: tuple[Reference, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None

    @property
    def table(self) -> str:
        """The raw table's name: the file name without its extension."""
        return self.name.removesuffix(".csv")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Contract:
    source: str
    version: str
    files: tuple[FileSpec, ...] = field(default=())

    def file(self, name: str) -> FileSpec:
        return next(f for f in self.files if f.name == name)

    @property
    def file_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.files)

    def load_order(self) -> list[FileSpec]:
        """Files ordered so that every file comes after the files it references."""
        done: list[FileSpec] = []
        pending = list(self.files)
        while pending:
            ready = [
                f
                for f in pending
                if all(r.file in {d.name for d in done} or r.file == f.name for r in f.references)
            ]
            if not ready:
                raise ValueError("the contract's references form a cycle")
            done.extend(ready)
            pending = [f for f in pending if f not in ready]
        return done


@dataclass(frozen=True)
class RowRule:
    """A rule over whole rows, true where a row passes, written once: as DuckDB SQL over the
    file's rows as text (`sql`, window functions allowed: the monitoring export's rules,
    which the DuckDB screen runs as written), or as a pandas test (`test`: keep.eu's, whose
    cells are numbers and dates as the workbook holds them).

    `columns` are the columns the rule reads; the first is the one a failure is reported
    against, the others give context in the message.
    """

    name: str
    columns: tuple[str, ...]
    error: str
    test: Callable[[pd.DataFrame], pd.Series] | None = None
    sql: str | None = None
    # For a rule that compares rows with each other: the rows it judges together. A screen
    # hands them to Pandera all together, never a row without its peers (schemas.keep).
    together: Callable[[pd.DataFrame], pd.Series] | None = None

    def __post_init__(self) -> None:
        if (self.test is None) == (self.sql is None):
            raise ValueError(f"rule {self.name}: give it either a pandas test or its SQL")

    def passes(self, frame: pd.DataFrame) -> pd.Series:
        """One boolean per row of `frame`: True where the row passes."""
        if self.test is not None:
            return self.test(frame)
        return rows_passing(self.sql, frame, self.columns)

    def check(self) -> pa.Check:
        return pa.Check(
            self.passes, name=self.name, error=self.error, statistics={"columns": self.columns}
        )


def check_columns(check: pa.Check) -> tuple[str, ...]:
    """The columns a row rule reads (first: the one its failures are reported against)."""
    return tuple((check.statistics or {}).get("columns", ()))
