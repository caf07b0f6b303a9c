"""PostgreSQL as a second home of the marts, for BI tools that speak PostgreSQL.

connection.py  connecting, with the URL's password kept out of every message
marts.py       what is copied: the published file's mart tables, their types and dbt docs
publish.py     the copy: COPY in bulk into a new schema, swapped in by one transaction
reader.py      the read-only role BI tools log in as
assets.py      the Dagster asset and resource (INTERREG_POSTGRES_URL)
"""
