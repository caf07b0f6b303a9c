"""The read-only role BI tools log in as: it may read the marts, and nothing else.

`interreg postgres-reader` creates it (or sets its password again); every publish grants
it the new schema within the swap (publish.grant_reader).
"""

from __future__ import annotations

from pipelines.postgres.connection import PostgresError, connect, one_line, redact_url
from pipelines.postgres.publish import READER_ROLE, grant_reader


def create_reader_role(url: str, password: str, role: str = READER_ROLE) -> None:
    """Create `role` (or update it) as a login that can only read, with `password`.

    The password is hashed here (SCRAM-SHA-256, as libpq's PQencryptPasswordConn does), so
    that neither the statement nor the server's log ever holds it in clear.
    """
    import psycopg
    from psycopg import sql

    with connect(url) as pg:
        try:
            hashed = pg.pgconn.encrypt_password(password.encode(), role.encode()).decode()
            names = {"role": sql.Identifier(role), "password": sql.Literal(hashed)}
            exists = pg.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            verb = "ALTER" if exists else "CREATE"
            pg.execute(
                sql.SQL(
                    verb + " ROLE {role} LOGIN PASSWORD {password}"
                    " NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
                ).format(**names)
            )
            # A second lock on the door: its sessions start read-only.
            pg.execute(
                sql.SQL("ALTER ROLE {role} SET default_transaction_read_only = on").format(**names)
            )
            database = sql.Identifier(pg.info.dbname)
            pg.execute(
                sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, names["role"])
            )
            grant_reader(pg, role)
            pg.commit()
        except psycopg.Error as error:
            raise PostgresError(
                f"PostgreSQL at {redact_url(url)} refused to set up the role {role}:"
                f" {one_line(error, url)}"
            ) from None
