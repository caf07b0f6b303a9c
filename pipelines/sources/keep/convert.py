"""Accepted rows of a sheet, in raw form: the columns of the raw table, as text.

Each field's cell rule (schemas/keep.py) converts it: amounts `1234.50`, dates
`YYYY-MM-DD`, Yes/No, "code / name" cells split into `<field>_code` and `<field>_name`.
The loader casts the text to the contract's types (DECIMAL(18,2), DATE): no floats.
Columns a layout lacks are null. Provenance columns say where each row came from.
"""

from __future__ import annotations

import pandas as pd

from pipelines.sources.keep.extract import KeepInput
from pipelines.sources.keep.read import LINE, ROW, SheetRead
from schemas.keep import INVALID, RULES
from schemas.keep_contract import KEEP, SPLIT_RULES, raw_columns


def to_raw(
    read: SheetRead,
    rows: pd.DataFrame,
    item: KeepInput,
    parsed: dict[str, list] | None = None,
) -> pd.DataFrame:
    """The raw table's columns (in contract order) for the accepted `rows` of `read`.

    `parsed`: each field's cells of the whole sheet already read by its rule (validate.py
    reads them once for the screen); `rows` picks from them by index.
    """
    spec = KEEP.file(read.sheet.table)
    data: dict[str, pd.Series] = {}
    whole = len(rows) == len(read.frame) and rows.index.equals(read.frame.index)
    picked = rows.index.to_numpy()
    for f in read.sheet.fields:
        if parsed is None:
            values = RULES[f.rule].read_all(rows[f.name].tolist())
        else:
            cells = parsed[f.name]
            values = cells if whole else [cells[i] for i in picked]
        if INVALID in values:  # validation let it through: a bug
            raise AssertionError(f"{read.file}: {f.header} has a value its rule rejects")
        if f.rule in SPLIT_RULES:
            code, name = raw_columns(f)
            data[code] = _series([None if v is None else v[0] for v in values], rows.index)
            data[name] = _series([None if v is None else v[1] for v in values], rows.index)
        else:
            data[f.name] = _series(values, rows.index)
    data |= {
        "source_file": pd.Series(item.name, index=rows.index, dtype=object),
        "source_order": pd.Series(str(item.order), index=rows.index, dtype=object),
        "source_sheet": pd.Series(read.sheet_name, index=rows.index, dtype=object),
        "source_row_number": rows[ROW].astype("string"),
        "source_line": rows[LINE].astype("string"),
        "layout": pd.Series(read.sheet.layout, index=rows.index, dtype=object),
    }
    columns = {
        c: data.get(c, pd.Series(None, index=rows.index, dtype=object)) for c in spec.column_names
    }
    frame = pd.DataFrame(columns).astype(object)
    # Text with None for null (pandas' default string dtype would make it NaN).
    return frame.where(frame.notna(), None).reset_index(drop=True)


def _series(values: list, index: pd.Index) -> pd.Series:
    return pd.Series(values, index=index, dtype=object)


def empty_raw(table: str) -> pd.DataFrame:
    """A raw table without rows (no input had that sheet)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in KEEP.file(table).column_names})
