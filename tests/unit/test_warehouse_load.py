"""Raw tables take the contract's types, exactly, and keep what the contract does not know."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd

from pipelines.warehouse.load import load_table
from schemas.monitoring_contract import PROGRAMME


def programme_frame(**extra: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_row_number": ["1"],
            "programme_name": ["Interreg Europe"],  # columns in another order than the contract
            "programme_id": ["2014TC16RFIR001"],
            "period": ["2014-2020"],
            "erdf_budget_eur": ["359326000.07"],
            "nuts_version": ["2016"],
            **extra,
        }
    )


def test_amounts_are_exact_decimals_and_integers_are_integers():
    con = duckdb.connect()
    load_table(con, "raw_monitoring", PROGRAMME, programme_frame())
    budget, version = con.execute(
        "SELECT erdf_budget_eur, nuts_version FROM raw_monitoring.programme"
    ).fetchone()
    assert budget == Decimal("359326000.07")
    assert version == 2016
    types = {
        name: type_
        for name, type_, *_ in con.execute("DESCRIBE raw_monitoring.programme").fetchall()
    }
    assert types["erdf_budget_eur"] == "DECIMAL(18,2)"


def test_extra_columns_are_kept_as_text_after_the_contract_columns():
    con = duckdb.connect()
    load_table(con, "raw_monitoring", PROGRAMME, programme_frame(**{"note; --": ["x'y"]}))
    columns = [row[0] for row in con.execute("DESCRIBE raw_monitoring.programme").fetchall()]
    assert columns == ["_row_number", *PROGRAMME.column_names, "note; --"]
    assert con.execute('SELECT "note; --" FROM raw_monitoring.programme').fetchone() == ("x'y",)


def test_loading_again_replaces_the_table():
    con = duckdb.connect()
    load_table(con, "raw_monitoring", PROGRAMME, programme_frame())
    load_table(con, "raw_monitoring", PROGRAMME, programme_frame())
    assert con.execute("SELECT count(*) FROM raw_monitoring.programme").fetchone() == (1,)
