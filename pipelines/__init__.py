"""The Interreg results warehouse: a Dagster code location and the `interreg` command."""
