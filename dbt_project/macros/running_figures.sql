{#-
    Figures as of every date of int_as_of_dates, per key, from dated changes:
        figure(key, D) = sum(amount) over the key's changes of that figure with changed_on <= D.
    `changes` is a relation with the `keys` columns, `figure`, `changed_on` and `amount`
    (a contribution adds on valid_from; a superseded one takes it back on valid_to).
    Each change counts from the first as-of date on or after it (ASOF join); the running
    sums are taken over the dates on which a key changes (far fewer rows than the result),
    each valid until the key's next change, and each row of the result takes the one valid
    on its date: a hash join on the key, then the date range (an ASOF join or an `or` in
    the condition let the planner compare every pair: minutes at 100 times the programme,
    against seconds). Decimal arithmetic, exact; a figure with nothing to sum is 0.

    Rows: every (as_of_date, key) of `spine` when it is given (a relation with the `keys`
    columns: every date for each), else every date from the key's first change on.
    Keys must not be null. A change after the last as-of date counts on no date.
-#}
{% macro running_figures(changes, keys, figures, spine=none) %}
    {%- set key_list = keys | join(', ') -%}
    (
    with

    dated_changes as (

        select
            {% for key in keys %}changes.{{ key }}, {% endfor %}
            as_of_dates.as_of_date,
            {%- for figure in figures %}
            sum(changes.amount) filter (where changes.figure = '{{ figure }}') as {{ figure }}
            {{- "," if not loop.last }}
            {%- endfor %}
        from {{ changes }} as changes
        asof inner join {{ ref('int_as_of_dates') }} as as_of_dates
            on changes.changed_on <= as_of_dates.as_of_date
        group by {% for key in keys %}changes.{{ key }}, {% endfor %}as_of_dates.as_of_date

    ),

    running as (

        select
            {% for key in keys %}{{ key }}, {% endfor %}as_of_date,
            lead(as_of_date) over by_date as next_changed_on,
            {%- for figure in figures %}
            sum({{ figure }}) over by_date as {{ figure }}{{ "," if not loop.last }}
            {%- endfor %}
        from dated_changes
        window by_date as (
            partition by {{ key_list }}
            order by as_of_date
            rows between unbounded preceding and current row
        )

    ),

    rows_wanted as (

        {%- if spine is not none %}
        select {% for key in keys %}spine.{{ key }}, {% endfor %}as_of_dates.as_of_date
        from {{ spine }} as spine
        cross join {{ ref('int_as_of_dates') }} as as_of_dates
        {%- else %}
        select {% for key in keys %}first_dates.{{ key }}, {% endfor %}as_of_dates.as_of_date
        from (
            select {{ key_list }}, min(as_of_date) as first_on
            from dated_changes
            group by {{ key_list }}
        ) as first_dates
        inner join {{ ref('int_as_of_dates') }} as as_of_dates
            on as_of_dates.as_of_date >= first_dates.first_on
        {%- endif %}

    )

    select
        rows_wanted.as_of_date,
        {% for key in keys %}rows_wanted.{{ key }},{% endfor %}
        {%- for figure in figures %}
        coalesce(running.{{ figure }}, 0) as {{ figure }}{{ "," if not loop.last }}
        {%- endfor %}
    from rows_wanted
    left join running
        on {% for key in keys %}rows_wanted.{{ key }} = running.{{ key }} and {% endfor %}rows_wanted.as_of_date >= running.as_of_date
        -- No `or` here: with one the planner drops the key equality and compares every pair.
        and rows_wanted.as_of_date < coalesce(running.next_changed_on, date '9999-12-31')
    )
{% endmacro %}
