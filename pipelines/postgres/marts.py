"""What PostgreSQL receives: each table of schema `marts` of the published DuckDB file,
with its column types translated, its grain (the primary key) and its dbt descriptions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.errors import PipelineError

MARTS_SCHEMA = "marts"

# DuckDB's type names (information_schema.columns.data_type) and PostgreSQL's equivalents:
# the same values, the same precision. DECIMAL(p,s) keeps its precision and scale.
POSTGRES_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39,0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20,0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "JSON": "json",  # json, not jsonb: the text exactly as DuckDB holds it
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str
    nullable: bool
    description: str = ""

    @property
    def postgres_type(self) -> str:
        decimal = _DECIMAL.fullmatch(self.duckdb_type.replace(" ", ""))
        if decimal:
            return f"numeric({decimal[1]},{decimal[2]})"
        return POSTGRES_TYPES[self.duckdb_type]


@dataclass(frozen=True)
class Mart:
    name: str
    columns: tuple[Column, ...]
    description: str = ""
    grain: tuple[str, ...] = ()
    rows: int = 0


@dataclass(frozen=True)
class MartDoc:
    """A mart's dbt documentation: its description, its columns', and its grain."""

    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    grain: tuple[str, ...] = ()


def mart_docs(manifest_path: Path) -> dict[str, MartDoc]:
    """Every mart model's documentation in dbt's manifest; none when there is no manifest."""
    if not manifest_path.exists():
        return {}
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    docs = {}
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") != "model" or node.get("schema") != MARTS_SCHEMA:
            continue
        meta = node.get("config", {}).get("meta") or node.get("meta") or {}
        docs[node["name"]] = MartDoc(
            description=" ".join((node.get("description") or "").split()),
            columns={
                name: " ".join((column.get("description") or "").split())
                for name, column in node.get("columns", {}).items()
            },
            grain=tuple(meta.get("grain") or ()),
        )
    return docs


def read_marts(con: duckdb.DuckDBPyConnection, docs: dict[str, MartDoc]) -> list[Mart]:
    """The mart tables of an open DuckDB file, described; a type PostgreSQL cannot hold
    as it is, or a grain naming a column the table lacks, stops here, before any copy."""
    rows = con.execute(
        "SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'YES'"
        " FROM information_schema.columns c JOIN information_schema.tables t"
        " USING (table_catalog, table_schema, table_name)"
        " WHERE c.table_schema = ? AND t.table_type = 'BASE TABLE'"
        " ORDER BY c.table_name, c.ordinal_position",
        [MARTS_SCHEMA],
    ).fetchall()
    columns: dict[str, list[Column]] = {}
    for table, name, data_type, nullable in rows:
        doc = docs.get(table, MartDoc())
        columns.setdefault(table, []).append(
            Column(name, data_type, nullable, doc.columns.get(name, ""))
        )
    marts = []
    for table, table_columns in columns.items():
        doc = docs.get(table, MartDoc())
        _check(table, table_columns, doc.grain)
        count = con.execute(f"SELECT count(*) FROM {MARTS_SCHEMA}.{_quote(table)}").fetchone()
        marts.append(Mart(table, tuple(table_columns), doc.description, doc.grain, count[0]))
    return marts


def _check(table: str, columns: list[Column], grain: tuple[str, ...]) -> None:
    for column in columns:
        if column.duckdb_type not in POSTGRES_TYPES and not _DECIMAL.fullmatch(
            column.duckdb_type.replace(" ", "")
        ):
            raise PipelineError(
                f"marts.{table}.{column.name} is {column.duckdb_type}, a type the PostgreSQL"
                " copy does not translate (pipelines/postgres/marts.py, POSTGRES_TYPES)"
            )
    missing = set(grain) - {column.name for column in columns}
    if missing:
        raise PipelineError(
            f"marts.{table}: its grain names {sorted(missing)}, columns the table lacks"
        )


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
