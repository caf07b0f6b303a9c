{{ config(meta={'dagster': {'ref': {'name': 'project_results'}}}) }}
-- On every date of headline_results, each figure summed over projects equals the headline.
{%- set figures = project_figures() %}
with

sums as (

    select
        as_of_date,
        {%- for figure in figures %}
        sum({{ figure }}) as {{ figure }}{{ "," if not loop.last }}
        {%- endfor %}
    from {{ ref('project_results') }}
    group by as_of_date

)

select headline.as_of_date
from {{ ref('headline_results') }} as headline
left join sums
    on headline.as_of_date = sums.as_of_date
where
    {%- for figure in figures %}
    headline.{{ figure }} <> coalesce(sums.{{ figure }}, 0){{ " or" if not loop.last }}
    {%- endfor %}
