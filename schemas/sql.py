"""SQL from names and values the files supply (quoted, never trusted), and a rule's SQL
evaluated on a pandas frame: a contract rule is written once, in DuckDB SQL, and serves both
the DuckDB screen and the Pandera checks that name every failing row."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

_POSITION = "__position"
_scratch: duckdb.DuckDBPyConnection | None = None  # opened once: a connection costs ~20 ms


def quote(identifier: str) -> str:
    """A SQL identifier, quoted: column names come from the files, never trust them."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def rows_passing(condition: str, frame: pd.DataFrame, columns: Sequence[str]) -> pd.Series:
    """`condition` (DuckDB SQL over `columns` as text, window functions allowed) on each row
    of `frame`: True where the row passes; a null result fails, as it does in the screen."""
    rows = pd.DataFrame({name: frame[name].to_numpy(dtype=object) for name in columns})
    rows[_POSITION] = np.arange(len(frame))
    text = ", ".join(f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" for c in columns)
    global _scratch
    if _scratch is None:
        _scratch = duckdb.connect()
    with _scratch.cursor() as con:  # a cursor per call: safe from several threads
        con.register("frame_rows", rows)
        (passed,) = (
            con.execute(
                f"SELECT coalesce(({condition}), false) FROM (SELECT {_POSITION}, {text}"
                f" FROM frame_rows) ORDER BY {_POSITION}"
            )
            .fetchnumpy()
            .values()
        )
    return pd.Series(np.asarray(passed, dtype=bool), index=frame.index)
