{#-
    raw_keep.calls (the legacy layout's Calls sheet) renamed and cast.
-#}
{%- set raw = source('keep', 'calls') -%}
{%- set columns = [
    ('source_file', 'varchar', 'source_file'),
    ('source_order', 'integer', 'source_order'),
    ('source_sheet', 'varchar', 'source_sheet'),
    ('source_row_number', 'bigint', 'source_row_number'),
    ('source_line', 'bigint', 'source_line'),
    ('programme', 'varchar', 'programme'),
    ('call', 'varchar', 'call_reference'),
    ('start_date', 'date', 'start_date'),
    ('end_date', 'date', 'end_date'),
    ('budget_eur', 'decimal(18, 2)', 'budget_eur'),
] -%}
{{ renamed_and_cast(raw, columns) }}
