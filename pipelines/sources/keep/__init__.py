"""Keep.eu, the database of Interreg projects, as a second source (docs: sources.md).

api.py       the search export request: payload and URL
extract.py   lands the inputs: the live search export, or archived export files
detect.py    which layout a file is in, from the file itself
read.py      sheets and CSV records into frames of cells as read, unreadable records apart
validate.py  Pandera (schemas/keep.py), quarantine, cascade, the rows read accounted for
convert.py   accepted rows into the raw tables' form (codes split, amounts, dates)
assets.py    the Dagster assets: landed inputs, then the raw tables in schema raw_keep
"""
