{#-
    A row as it stood on the export's date E, when its status was set on a date after E (the
    export is a snapshot taken while staff keep working): a good practice validated, a report
    version approved. One rule for every mart that lists such rows.

    reached_by_export: the row reached `reached` (its `status`) on `reached_on` <= E.
    status_by_export: its status at E; one that reached `reached` after E is still `before`.
-#}
{% macro reached_by_export(status, reached, reached_on) -%}
    ({{ status }} = '{{ reached }}' and {{ reached_on }} <= {{ export_date() }})
{%- endmacro %}

{% macro status_by_export(status, reached, reached_on, before='submitted') -%}
    case
        when {{ reached_by_export(status, reached, reached_on) }} then '{{ reached }}'
        when {{ status }} = '{{ reached }}' then '{{ before }}'
        else {{ status }}
    end
{%- endmacro %}
