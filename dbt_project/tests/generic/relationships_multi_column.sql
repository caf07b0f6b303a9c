{#-
    A composite foreign key: every non-null combination of `columns` in the model exists as
    `fields` (same order) in `to`. A row with a null in any of `columns` is not checked.
-#}
{% test relationships_multi_column(model, columns, to, fields) %}

with child as (
    select {% for c in columns %}{{ c }} as key_{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}
    from {{ model }}
    where {% for c in columns %}{{ c }} is not null{{ " and " if not loop.last }}{% endfor %}
),

parent as (
    select {% for f in fields %}{{ f }} as key_{{ loop.index }}{{ ", " if not loop.last }}{% endfor %}
    from {{ to }}
)

select child.*
from child
left join parent
    on {% for c in columns %}child.key_{{ loop.index }} = parent.key_{{ loop.index }}{{ " and " if not loop.last }}{% endfor %}
where parent.key_1 is null

{% endtest %}
