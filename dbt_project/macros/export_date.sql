{#-
    The export's date: the last as-of date (int_as_of_dates), as a scalar subquery. The
    undated marts are this date's view of the data: nothing dated after it is in them.
-#}
{% macro export_date() -%}
    (select max(as_of_date) from {{ ref('int_as_of_dates') }})
{%- endmacro %}
