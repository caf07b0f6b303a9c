"""The CSV every source reads: RFC 4180, read strictly, fields as long as a file holds."""

from __future__ import annotations

import csv

# Long free-text fields (descriptions) must not trip csv's default 128 KiB field limit.
FIELD_SIZE_LIMIT = 1 << 30


class StrictDialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\n"  # ignored by the reader, which accepts \n, \r\n and \r
    quoting = csv.QUOTE_MINIMAL
    strict = True  # `"abc"def` is an error, not `abcdef`


def strict_dialect(delimiter: str) -> type[csv.Dialect]:
    """StrictDialect with another delimiter (keep.eu's partner CSV uses `;`)."""
    return type("StrictDialect", (StrictDialect,), {"delimiter": delimiter})


def allow_long_fields() -> None:
    """Raise the csv module's field size limit (process-wide) to FIELD_SIZE_LIMIT."""
    if csv.field_size_limit() < FIELD_SIZE_LIMIT:
        csv.field_size_limit(FIELD_SIZE_LIMIT)
