{#-
    Every row satisfies `expression`. Strict: a row where the expression is null fails too,
    so write `x is null or ...` where null is acceptable.
    At column level the column name is prefixed: `expression: ">= 0"`.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not coalesce(
    ({% if column_name is not none %}{{ column_name }} {% endif %}{{ expression }}),
    false
)

{% endtest %}
