{#-
    Every ref() and source() renders as schema.table, without the catalog. A DuckDB view
    stores the text it was created with: one naming the catalog ("interreg".staging.x) fails
    once the file is copied under another name or attached as `ATTACH ... AS wh`, as BI
    tools and analysts do. Without the catalog, a view resolves in whatever catalog holds it.
-#}
{% macro ref() -%}
    {%- do return(builtins.ref(*varargs, **kwargs).include(database=false)) -%}
{%- endmacro %}

{% macro source() -%}
    {%- do return(builtins.source(*varargs, **kwargs).include(database=false)) -%}
{%- endmacro %}
