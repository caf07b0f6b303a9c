"""The benchmark: the pipeline against plain DuckDB on the same exports (`make bench`)."""
