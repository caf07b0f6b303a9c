"""Connecting to PostgreSQL without the password ever reaching a message or a log.

The URL may carry a password (`postgresql://user:secret@host/db`, or `?password=`); libpq
also reads PGPASSWORD and ~/.pgpass. Every message names the URL redacted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlsplit

from pipelines.errors import PipelineError

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_S = 10
# A key=value connection string ("host=x password='s e' dbname=y") instead of a URL.
_PASSWORD_IN_DSN = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_PASSWORD_IN_QUERY = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


class PostgresError(PipelineError):
    """PostgreSQL could not be reached, refused us, or refused the data."""


def redact_url(url: str) -> str:
    """The URL with its password, wherever it is, replaced by ***; the user, host, port,
    database and options stay, so that a message says where it went."""
    if "://" not in url:
        return _PASSWORD_IN_DSN.sub(r"\1***", url)
    scheme, rest = url.split("://", 1)
    # The credentials end at the last @ before the query: a password may hold / or :.
    credentials, tail = re.fullmatch(r"(?:([^?#]*)@)?(.*)", rest, re.DOTALL).groups()
    authority = ""
    if credentials is not None:
        user, has_password, _ = credentials.partition(":")
        authority = f"{user}:***@" if has_password else f"{credentials}@"
    tail = _PASSWORD_IN_QUERY.sub(r"\1***", tail)
    return f"{scheme}://{authority}{tail}"


def secrets_of(url: str) -> list[str]:
    """The password(s) written in the URL, to scrub from any text PostgreSQL sends back."""
    if "://" not in url:
        found = [m.group(2).strip("'") for m in _PASSWORD_IN_DSN.finditer(url)]
    else:
        parts = urlsplit(url)
        found = [parts.password] if parts.password else []
        found += [v for k, v in parse_qsl(parts.query) if k.lower() == "password" and v]
    return [s for secret in found for s in {secret, unquote(secret)} if s]


def one_line(error: BaseException, url: str) -> str:
    """PostgreSQL's (often multi-line) message as one line, with no password in it."""
    text = " ".join(str(error).split()) or type(error).__name__
    for secret in secrets_of(url):
        text = text.replace(secret, "***")
    return text


def connect(url: str) -> psycopg.Connection:
    """A connection in a transaction (not autocommit), or a PostgresError naming the
    redacted URL and PostgreSQL's reason (down, refused login, no such database)."""
    import psycopg

    try:
        return psycopg.connect(
            url,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name="interreg",
            client_encoding="UTF8",
        )
    except psycopg.Error as error:
        raise PostgresError(
            f"PostgreSQL at {redact_url(url)} could not be reached: {one_line(error, url)}"
        ) from None
