{#- The model has as many rows as `compare_model` (optionally filtered by `compare_where`). -#}
{% test equal_row_count(model, compare_model, compare_where="true") %}

with model_rows as (
    select count(*) as n_rows from {{ model }}
),

compare_rows as (
    select count(*) as n_rows from {{ compare_model }} where {{ compare_where }}
)

select
    model_rows.n_rows as model_rows,
    compare_rows.n_rows as compare_rows
from model_rows
cross join compare_rows
where model_rows.n_rows <> compare_rows.n_rows

{% endtest %}
