{#-
    raw_keep.calls (the legacy layout's Calls sheet) renamed and cast. Without the raw
    table the view is empty, with the same columns.
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
with

source as (

    {% if execute and load_relation(raw) is none -%}
    select
        {%- for name, type, _ in columns %}
        cast(null as {{ type }}) as {{ adapter.quote(name) }}{{ "," if not loop.last }}
        {%- endfor %}
    where false
    {%- else -%}
    select * from {{ raw }}
    {%- endif %}

),

final as (

    select
        {%- for name, type, alias in columns %}
        cast({{ adapter.quote(name) }} as {{ type }}) as {{ alias }}{{ "," if not loop.last }}
        {%- endfor %}
    from source

)

select * from final
