{#-
    The body of a keep.eu staging view: `raw` with its `columns` (raw name, type, staged
    name) cast and renamed, then the `computed` expressions. Without the raw table (a dbt
    build on a warehouse that never loaded keep.eu) the view is empty, with the same columns.
-#}
{% macro renamed_and_cast(raw, columns, computed=[]) %}
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
        cast({{ adapter.quote(name) }} as {{ type }}) as {{ alias }}
        {{- "," if not loop.last or computed }}
        {%- endfor %}
        {%- for expression in computed %}
        {{ expression }}{{ "," if not loop.last }}
        {%- endfor %}
    from source

)

select * from final
{% endmacro %}
