"""The copy of the marts into a real PostgreSQL (a throwaway cluster on 127.0.0.1): types,
rows, keys, comments, the swap as readers see it, the reader role, and failures."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import psycopg
import pytest

from pipelines.postgres.connection import PostgresError
from pipelines.postgres.marts import MartDoc
from pipelines.postgres.publish import publish_marts, published_release
from pipelines.postgres.reader import create_reader_role

DOCS = {
    "facts": MartDoc(
        description='One row per fact; it\'s "quoted".',
        columns={"fact_id": "The fact's id.", "label": "Its label, '' when it has none."},
        grain=("fact_id", "as_of"),
    ),
    "tally": MartDoc(description="One row per tally.", grain=("version",)),
}
# The DuckDB types of the marts and what PostgreSQL must hold them as.
EXPECTED_TYPES = {
    "fact_id": ("BIGINT", "bigint"),
    "as_of": ("DATE", "date"),
    "label": ("VARCHAR", "text"),
    "amount": ("DECIMAL(18,2)", "numeric(18,2)"),
    "pct": ("DECIMAL(4,1)", "numeric(4,1)"),
    "flag": ("BOOLEAN", "boolean"),
    "small": ("INTEGER", "integer"),
    "stamped": ("TIMESTAMP WITH TIME ZONE", "timestamp with time zone"),
    "local_time": ("TIMESTAMP", "timestamp without time zone"),
    "ratio": ("DOUBLE", "double precision"),
}
AWKWARD_TEXT = [
    "",
    None,
    'a "quoted", comma',
    "line\nbreak",
    "Zürich – ∑ ✓",
    " padded ",
    "NULL",
    "\\N",
]


def make_marts(path: Path, version: int, facts: int = 200) -> Path:
    """A DuckDB file with schema marts: `facts` (every type, awkward text) and `tally` (one
    row holding `version` and the number of facts, so a reader can tell a mix)."""
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA marts")
        columns = ", ".join(f"{name} {duck}" for name, (duck, _) in EXPECTED_TYPES.items())
        con.execute(f"CREATE TABLE marts.facts ({columns}, PRIMARY KEY (fact_id, as_of))")
        texts = ", ".join(
            "NULL" if s is None else "'" + s.replace("'", "''") + "'" for s in AWKWARD_TEXT
        )
        con.execute(
            f"""INSERT INTO marts.facts SELECT i, DATE '2024-01-31' + (i % 3)::INTEGER,
                ([{texts}])[1 + i % {len(AWKWARD_TEXT)}],
                (i * 1000 + {version})::DECIMAL(18,2) + 0.05, (i % 100)::DECIMAL(4,1) + 0.5,
                CASE WHEN i % 5 <> 0 THEN i % 2 = 0 END, i * {version},
                TIMESTAMPTZ '2024-03-01 12:00:00+01' + to_seconds(i),
                TIMESTAMP '2024-03-01' + to_microseconds(i * 7),
                CASE WHEN i % 4 <> 0 THEN i / 3 END
                FROM range(?) AS r(i)""",
            [facts],
        )
        con.execute("CREATE TABLE marts.tally (version INTEGER NOT NULL, facts BIGINT NOT NULL)")
        con.execute("INSERT INTO marts.tally VALUES (?, ?)", [version, facts])
        con.execute("CREATE VIEW marts.not_a_table AS SELECT 1 AS one")  # views are not copied
    return path


def rows(con, table: str, order: str) -> list[tuple]:
    return [
        tuple(r) for r in con.execute(f"SELECT * FROM marts.{table} ORDER BY {order}").fetchall()
    ]


def test_types_rows_keys_and_comments_equal_the_duckdb_marts(tmp_path, postgres_url):
    source = make_marts(tmp_path / "a.duckdb", version=1)
    result = publish_marts(postgres_url, source, "release-1", DOCS)
    assert result.rows == {"facts": 200, "tally": 1} and not result.unchanged

    with psycopg.connect(postgres_url) as pg, duckdb.connect(str(source), read_only=True) as duck:
        types = dict(
            pg.execute(
                "SELECT column_name, CASE WHEN data_type = 'numeric' THEN format('numeric(%s,%s)',"
                " numeric_precision, numeric_scale) ELSE data_type END"
                " FROM information_schema.columns WHERE table_schema = 'marts'"
                " AND table_name = 'facts'"
            ).fetchall()
        )
        assert types == {name: pg_type for name, (_, pg_type) in EXPECTED_TYPES.items()}
        for table, order in (("facts", "fact_id, as_of"), ("tally", "version")):
            assert rows(pg, table, order) == rows(duck, table, order)
        labels = dict(pg.execute("SELECT fact_id, label FROM marts.facts").fetchall())
        assert labels[0] == "" and labels[1] is None and labels[6] == "NULL"  # '' stays ''
        assert pg.execute("SELECT to_regclass('marts.not_a_table')").fetchone()[0] is None
        keys = pg.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'p' AND connamespace = 'marts'::regnamespace ORDER BY 1"
        ).fetchall()
        assert keys == [("marts.facts", "PRIMARY KEY (fact_id, as_of)"),
                        ("marts.tally", "PRIMARY KEY (version)")]  # fmt: skip
        assert pg.execute("SELECT obj_description('marts.facts'::regclass)").fetchone() == (
            DOCS["facts"].description,
        )
        assert pg.execute("SELECT col_description('marts.facts'::regclass, 3)").fetchone() == (
            "Its label, '' when it has none.",
        )
        assert published_release(pg) == "release-1"
        schemas = pg.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'marts%'")
        assert schemas.fetchall() == [("marts",)]  # nothing left beside it


def test_the_same_release_is_not_copied_again_unless_forced(tmp_path, postgres_url):
    source = make_marts(tmp_path / "a.duckdb", version=1)
    publish_marts(postgres_url, source, "release-1", DOCS)
    assert publish_marts(postgres_url, source, "release-1", DOCS).unchanged
    assert not publish_marts(postgres_url, source, "release-1", DOCS, force=True).unchanged


def test_a_grain_that_is_not_a_key_fails_and_the_old_marts_stay(tmp_path, postgres_url):
    publish_marts(postgres_url, make_marts(tmp_path / "a.duckdb", version=1), "release-1", DOCS)
    bad_docs = DOCS | {"facts": MartDoc(grain=("as_of",))}  # three facts a day: duplicates
    with pytest.raises(PostgresError, match=r"marts.facts: its grain \(as_of\) is not a key"):
        publish_marts(postgres_url, make_marts(tmp_path / "b.duckdb", 2), "release-2", bad_docs)
    with psycopg.connect(postgres_url) as pg:
        assert pg.execute("SELECT version FROM marts.tally").fetchone() == (1,)
        assert published_release(pg) == "release-1"
        schemas = pg.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'marts%'")
        assert schemas.fetchall() == [("marts",)]


def test_a_reader_sees_the_old_marts_or_the_new_never_a_mix(tmp_path, postgres_url):
    """A reader polling both tables in one read-only snapshot during a publish: the tally's
    count always matches the facts it sees, and no query fails."""
    publish_marts(postgres_url, make_marts(tmp_path / "a.duckdb", 1, facts=3000), "r1", DOCS)
    new = make_marts(tmp_path / "b.duckdb", 2, facts=50_000)
    seen: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    stop = threading.Event()

    def poll() -> None:
        try:
            with psycopg.connect(postgres_url, autocommit=True) as reader:
                while not stop.is_set():
                    with reader.transaction():
                        reader.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        version, facts = reader.execute("SELECT * FROM marts.tally").fetchone()
                        counted = reader.execute("SELECT count(*) FROM marts.facts").fetchone()
                        time.sleep(0.005)  # hold the old tables a little, as a report would
                    seen.append((version, facts, counted[0]))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    readers = [threading.Thread(target=poll) for _ in range(3)]
    for reader in readers:
        reader.start()
    time.sleep(0.3)
    publish_marts(postgres_url, new, "r2", DOCS)
    time.sleep(0.3)
    stop.set()
    for reader in readers:
        reader.join(timeout=30)
    assert not errors, errors
    assert {(v, f) for v, f, _ in seen} == {(1, 3000), (2, 50_000)}
    assert all(facts == counted for _, facts, counted in seen), "a reader saw a mix"


def test_the_reader_role_can_select_and_cannot_write(tmp_path, postgres_url, postgres_cluster):
    publish_marts(postgres_url, make_marts(tmp_path / "a.duckdb", version=1), "release-1", DOCS)
    create_reader_role(postgres_url, "reader secret 1")
    create_reader_role(postgres_url, "reader secret 2")  # again: a new password, same role
    database = postgres_url.rsplit("/", 1)[1]
    reader_url = postgres_cluster.url(database, "interreg_reader", "reader secret 2")
    # The next release is granted within its swap.
    publish_marts(postgres_url, make_marts(tmp_path / "b.duckdb", version=2), "release-2", DOCS)
    with psycopg.connect(reader_url, autocommit=True) as reader:
        assert reader.execute("SELECT version FROM marts.tally").fetchone() == (2,)
        assert reader.execute("SELECT release FROM interreg.release").fetchone() == ("release-2",)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):  # its sessions start so
            reader.execute("INSERT INTO marts.tally VALUES (3, 0)")
        reader.execute("SET default_transaction_read_only = off")  # and without that:
        for statement in (
            "INSERT INTO marts.tally VALUES (3, 0)",
            "DELETE FROM marts.tally",
            "TRUNCATE marts.facts",
            "CREATE TABLE marts.mine (x int)",
            "CREATE TABLE public.mine (x int)",
            "DROP TABLE marts.facts",
            "DELETE FROM interreg.release",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                reader.execute(statement)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(postgres_cluster.url(database, "interreg_reader", "reader secret 1"))


def test_a_refused_login_or_a_server_down_fails_clearly_without_the_password(
    tmp_path, postgres_url, postgres_cluster
):
    source = make_marts(tmp_path / "a.duckdb", version=1)
    wrong = postgres_url.replace(postgres_cluster.password, "Wr0ng-S3cret")
    with pytest.raises(PostgresError) as refused:
        publish_marts(wrong, source, "release-1", DOCS)
    message = str(refused.value)
    assert "Wr0ng-S3cret" not in message and postgres_cluster.password not in message
    assert f"interreg_admin:***@127.0.0.1:{postgres_cluster.port}" in message
    assert "password authentication failed" in message and "\n" not in message

    down = f"postgresql://interreg_admin:Wr0ng-S3cret@127.0.0.1:{_free_port()}/x"
    with pytest.raises(PostgresError, match="could not be reached: .*[Cc]onnection refused") as e:
        publish_marts(down, source, "release-1", DOCS)
    assert "Wr0ng-S3cret" not in str(e.value)


def _free_port() -> int:
    from support.postgres import free_port

    return free_port()
