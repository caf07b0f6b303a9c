"""SQL text from names and values the files supply: quoted, never trusted."""

from __future__ import annotations


def quote(identifier: str) -> str:
    """A SQL identifier, quoted: column names come from the files, never trust them."""
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
