{#-
    Models land in the schema their folder names (staging, intermediate, marts), exactly:
    not dbt's default `<target schema>_<custom schema>`. Without a custom schema a node
    goes to the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
