"""Copy the published file's marts into PostgreSQL, all at once for readers.

A new schema `marts__new_<hex>` is built and committed (tables, COPY in bulk, primary
keys on the grains, comments); then one transaction locks the old tables, renames `marts`
away and the new schema to `marts`, grants it to the reader role, drops the old one and
updates the release stamp (`interreg.release`). A reader sees the old marts or the new
ones, never a mix or none; a failure leaves the old marts as they were. The build is
committed before the swap so that a reader whose snapshot was taken while it waited for
the swap's locks sees the new tables' rows. What a killed publisher leaves (a
`marts__new_*` schema) the next one drops.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.postgres.connection import PostgresError, connect, one_line, redact_url
from pipelines.postgres.marts import MARTS_SCHEMA, Mart, MartDoc, read_marts

READER_ROLE = "interreg_reader"
STAMP_SCHEMA = "interreg"
STAMP_TABLE = "release"
COPY_CHUNK_BYTES = 1 << 20
# The swap waits for readers holding the old tables, a little at a time so that it never
# holds some of their locks while waiting for others (which could deadlock a reader).
SWAP_LOCK_TIMEOUT = "200ms"
SWAP_PATIENCE_S = 600.0


@dataclass(frozen=True)
class Publication:
    release: str
    rows: dict[str, int]
    seconds: float
    unchanged: bool = False


def publish_marts(
    url: str, source: Path, release: str, docs: dict[str, MartDoc], *, force: bool = False
) -> Publication:
    """Make PostgreSQL's schema `marts` a copy of `source`'s, stamped `release`; nothing is
    done when PostgreSQL already holds that release (unless `force`)."""
    import psycopg

    started = time.monotonic()
    with connect(url) as pg:
        staging = f"{MARTS_SCHEMA}__new_{secrets.token_hex(4)}"
        try:
            _hold_publisher_lock(pg, url)
            if not force and published_release(pg) == release:
                return Publication(release, {}, time.monotonic() - started, unchanged=True)
            _drop_leftovers(pg)
            with duckdb.connect(str(source), read_only=True) as duck:
                marts = read_marts(duck, docs)
                _build(pg, duck, staging, marts)
            pg.commit()
            _swap(pg, staging, release, marts)
            pg.commit()
        except BaseException as error:
            _drop_schema_quietly(pg, staging)
            if isinstance(error, psycopg.Error):
                raise PostgresError(
                    f"PostgreSQL at {redact_url(url)} refused the marts: {one_line(error, url)};"
                    " its previous marts are unchanged"
                ) from None
            raise
    return Publication(release, {m.name: m.rows for m in marts}, time.monotonic() - started)


def published_release(pg) -> str | None:
    """The release PostgreSQL's marts were copied from, or None before the first copy."""
    found = pg.execute("SELECT to_regclass(%s)", [f"{STAMP_SCHEMA}.{STAMP_TABLE}"]).fetchone()
    if found[0] is None:
        return None
    row = pg.execute(f"SELECT release FROM {STAMP_SCHEMA}.{STAMP_TABLE}").fetchone()
    return row[0] if row else None


def _hold_publisher_lock(pg, url: str) -> None:
    """One publisher at a time per database, until its connection closes."""
    locked = pg.execute("SELECT pg_try_advisory_lock(hashtext('interreg.marts'))").fetchone()
    if not locked[0]:
        raise PostgresError(
            f"PostgreSQL at {redact_url(url)}: another process is publishing the marts;"
            " its previous marts are unchanged"
        )


def _drop_leftovers(pg) -> None:
    """Schemas a killed publisher left: only the lock holder gets here, so none is in use."""
    from psycopg import sql

    leftovers = pg.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s OR nspname LIKE %s",
        [f"{MARTS_SCHEMA}\\_\\_new\\_%", f"{MARTS_SCHEMA}\\_\\_old\\_%"],
    ).fetchall()
    for (name,) in leftovers:
        pg.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def _drop_schema_quietly(pg, schema: str) -> None:
    """After a failure: the half-built schema goes, if the connection still can."""
    import psycopg
    from psycopg import sql

    try:
        pg.rollback()
        pg.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        pg.commit()
    except psycopg.Error:
        pass  # the connection is gone: the next publisher drops it (_drop_leftovers)


def _build(pg, duck: duckdb.DuckDBPyConnection, schema: str, marts: list[Mart]) -> None:
    from psycopg import sql

    pg.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    with tempfile.TemporaryDirectory(prefix="interreg-pg-") as folder:
        for mart in marts:
            table = sql.Identifier(schema, mart.name)
            pg.execute(_create_table(table, mart))
            csv = Path(folder) / f"{mart.name}.csv"
            _export_csv(duck, mart.name, csv)
            copied = _copy_csv(pg, table, csv)
            if copied != mart.rows:
                raise PostgresError(
                    f"marts.{mart.name}: {copied} rows reached PostgreSQL of {mart.rows}"
                )
            csv.unlink()
            _add_primary_key(pg, table, mart)
            _comment(pg, table, mart)


def _create_table(table, mart: Mart):
    from psycopg import sql

    columns = sql.SQL(", ").join(
        sql.SQL("{} {}{}").format(
            sql.Identifier(column.name),
            sql.SQL(column.postgres_type),
            sql.SQL("" if column.nullable else " NOT NULL"),
        )
        for column in mart.columns
    )
    return sql.SQL("CREATE TABLE {} ({})").format(table, columns)


def _export_csv(duck: duckdb.DuckDBPyConnection, table: str, path: Path) -> None:
    """Every value quoted: PostgreSQL then reads an unquoted empty field as NULL and ""
    as the empty string, so both come through as they are."""
    target = "'" + str(path).replace("'", "''") + "'"
    name = '"' + table.replace('"', '""') + '"'
    duck.execute(
        f"COPY (SELECT * FROM {MARTS_SCHEMA}.{name}) TO {target}"
        " (FORMAT csv, HEADER, FORCE_QUOTE *)"
    )


def _copy_csv(pg, table, path: Path) -> int:
    from psycopg import sql

    statement = sql.SQL("COPY {} FROM STDIN (FORMAT csv, HEADER true)").format(table)
    with pg.cursor() as cursor:
        with cursor.copy(statement) as copy, open(path, "rb") as data:
            while chunk := data.read(COPY_CHUNK_BYTES):
                copy.write(chunk)
        return cursor.rowcount


def _add_primary_key(pg, table, mart: Mart) -> None:
    """The mart's grain (dbt meta `grain`) as its primary key: a grain with nulls or
    duplicates is a bug of the model, reported, never left out quietly."""
    import psycopg
    from psycopg import sql

    if not mart.grain:
        return
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in mart.grain)
    try:
        with pg.transaction():  # a savepoint: the error is ours to word
            pg.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY ({})").format(table, columns))
    except (psycopg.errors.UniqueViolation, psycopg.errors.NotNullViolation) as error:
        raise PostgresError(
            f"marts.{mart.name}: its grain ({', '.join(mart.grain)}) is not a key of its"
            f" rows: {' '.join(str(error).split())}; the previous marts are unchanged"
        ) from None


def _comment(pg, table, mart: Mart) -> None:
    from psycopg import sql

    if mart.description:
        pg.execute(
            sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(mart.description))
        )
    for column in mart.columns:
        if column.description:
            pg.execute(
                sql.SQL("COMMENT ON COLUMN {}.{} IS {}").format(
                    table, sql.Identifier(column.name), sql.Literal(column.description)
                )
            )


def _swap(pg, staging: str, release: str, marts: list[Mart]) -> None:
    """Put the new schema in the old one's place, waiting as long as readers need."""
    import psycopg

    deadline = time.monotonic() + SWAP_PATIENCE_S
    while True:
        try:
            with pg.transaction():  # a savepoint: a lock not had in time is tried again
                pg.execute(f"SET LOCAL lock_timeout = '{SWAP_LOCK_TIMEOUT}'")
                _replace_schema(pg, staging)
                _stamp(pg, release, marts)
                grant_reader(pg, READER_ROLE)
                pg.execute("SET LOCAL lock_timeout = 0")
            return
        except psycopg.errors.LockNotAvailable:
            if time.monotonic() > deadline:
                raise PostgresError(
                    f"readers kept the marts locked for {SWAP_PATIENCE_S:.0f} s;"
                    " the previous marts are unchanged"
                ) from None
            time.sleep(0.1)


def _replace_schema(pg, staging: str) -> None:
    from psycopg import sql

    old = pg.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename)"
        " FROM pg_tables WHERE schemaname = %s",
        [MARTS_SCHEMA],
    ).fetchall()
    if old:  # every old table at once, so a reader never meets a half-swapped set
        pg.execute(f"LOCK TABLE {', '.join(name for (name,) in old)} IN ACCESS EXCLUSIVE MODE")
    exists = pg.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [MARTS_SCHEMA])
    retired = sql.Identifier(f"{MARTS_SCHEMA}__old_{secrets.token_hex(4)}")
    if exists.fetchone():
        pg.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(MARTS_SCHEMA), retired)
        )
    pg.execute(
        sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
            sql.Identifier(staging), sql.Identifier(MARTS_SCHEMA)
        )
    )
    pg.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(retired))


def _stamp(pg, release: str, marts: list[Mart]) -> None:
    """Which release the marts are: the pipeline compares it with the published file's."""
    from psycopg.types.json import Jsonb

    pg.execute(f"CREATE SCHEMA IF NOT EXISTS {STAMP_SCHEMA}")
    pg.execute(
        f"CREATE TABLE IF NOT EXISTS {STAMP_SCHEMA}.{STAMP_TABLE} (release text NOT NULL,"
        " published_at timestamptz NOT NULL, mart_rows jsonb NOT NULL)"
    )
    pg.execute(f"DELETE FROM {STAMP_SCHEMA}.{STAMP_TABLE}")
    pg.execute(
        f"INSERT INTO {STAMP_SCHEMA}.{STAMP_TABLE} VALUES (%s, now(), %s)",
        [release, Jsonb({m.name: m.rows for m in marts})],
    )


def grant_reader(pg, role: str) -> None:
    """USAGE on the marts and the stamp, SELECT on their tables, when the role exists."""
    from psycopg import sql

    if not pg.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
        return
    for schema in (MARTS_SCHEMA, STAMP_SCHEMA):
        if pg.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone():
            names = {"schema": sql.Identifier(schema), "role": sql.Identifier(role)}
            pg.execute(sql.SQL("GRANT USAGE ON SCHEMA {schema} TO {role}").format(**names))
            pg.execute(
                sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}").format(**names)
            )
