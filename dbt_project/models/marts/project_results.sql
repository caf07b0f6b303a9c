-- Each project's share of the headline figures, as of every date of headline_results: the
-- same contributions (int_headline_contributions), by the same rule (valid_from <= D <
-- valid_to), summed per project instead of over the programme. A project has a row on
-- every date from its approval on, and on an earlier date only where a figure is not 0 (a
-- change validated before the project's approval still counts in the headline); summed
-- over projects, every figure equals headline_results on every date
-- (tests/assert_project_results_add_up_to_headline.sql).
-- progress_status is the project's own state on the date, from its dates alone.
{%- set figures = project_figures() %}
with

contributions as (

    select * from {{ ref('int_headline_contributions') }}
    where project_id is not null

),

projects as (

    select * from {{ ref('int_projects_active') }}

),

changes as (

    select project_id, figure, valid_from as changed_on, contribution as amount
    from contributions
    where valid_from is not null
        and (valid_to is null or valid_to > valid_from)

    union all

    select project_id, figure, valid_to as changed_on, -contribution as amount
    from contributions
    where valid_from is not null
        and valid_to > valid_from

),

figures as {{ running_figures('changes', ['project_id'], figures) }},

final as (

    select
        figures.as_of_date,
        figures.project_id,
        projects.acronym as project_acronym,
        {%- for figure in figures %}
        {%- if figure.endswith('_eur') %}
        cast(figures.{{ figure }} as decimal(18, 2)) as {{ figure }}
        {%- else %}
        cast(figures.{{ figure }} as bigint) as {{ figure }}
        {%- endif %},
        {%- endfor %}
        case
            when projects.approved_on > figures.as_of_date then 'not_approved'
            when projects.start_date > figures.as_of_date then 'not_started'
            when projects.end_date < figures.as_of_date then 'ended'
            else 'running'
        end as progress_status
    from figures
    inner join projects
        on figures.project_id = projects.project_id
    where projects.approved_on <= figures.as_of_date
        {%- for figure in figures %}
        or figures.{{ figure }} <> 0
        {%- endfor %}

)

select * from final
