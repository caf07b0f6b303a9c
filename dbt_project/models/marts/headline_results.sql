-- The headline results, one row per as-of date of the published series.
-- Definitions: shared/docs/monitoring-export.md, "Headline results: definitions".
-- Summable figures come from int_headline_contributions (valid_from <= D < valid_to);
-- a figure with nothing to sum is 0, never null.
with

as_of_dates as (

    select * from {{ ref('int_as_of_dates') }}

),

contributions as (

    select * from {{ ref('int_headline_contributions') }}

),

programmes as (

    select * from {{ ref('stg_monitoring__programmes') }}

),

eligible_regions as (

    select * from {{ ref('stg_monitoring__eligible_regions') }}

),

{%- set summed = [
    'projects',
    'policy_learning_events',
    'good_practices_identified',
    'good_practices_validated',
    'people_with_increased_capacity',
    'action_plans',
    'policy_instruments_influenced',
    'policy_instruments_influenced_sf',
    'financial_impact_eur',
    'financial_impact_sf_eur',
    'nuts2_regions_involved',
] %}

-- A figure as of D sums the contributions with valid_from <= D < valid_to. Joining every
-- date to every contribution valid on it costs dates x contributions (a hundred dates,
-- millions of contributions). Instead each contribution adds its amount on valid_from and
-- takes it back on valid_to; every such change counts from the first as-of date on or
-- after it (ASOF join), and a figure is the running sum of its changes over the dates:
-- the same sums, exactly (decimal arithmetic). A contribution with valid_to <= valid_from
-- is valid on no date, and one without valid_from on none either: both are left out.
changes as (

    select
        figure,
        valid_from as changed_on,
        contribution as amount
    from contributions
    where valid_from is not null
        and (valid_to is null or valid_to > valid_from)

    union all

    select
        figure,
        valid_to as changed_on,
        -contribution as amount
    from contributions
    where valid_from is not null
        and valid_to > valid_from

),

changes_by_date as (

    select
        as_of_dates.as_of_date,
        changes.figure,
        sum(changes.amount) as amount
    from changes
    asof inner join as_of_dates
        on changes.changed_on <= as_of_dates.as_of_date
    group by as_of_dates.as_of_date, changes.figure

),

figures_as_of as (

    select
        as_of_dates.as_of_date,
        {%- for figure in summed %}
        coalesce(
            sum(
                sum(changes_by_date.amount) filter (
                    where changes_by_date.figure = '{{ figure }}'
                )
            ) over (
                order by as_of_dates.as_of_date
                rows between unbounded preceding and current row
            ),
            0
        ) as {{ figure }}{{ "," if not loop.last }}
        {%- endfor %}
    from as_of_dates
    left join changes_by_date
        on as_of_dates.as_of_date = changes_by_date.as_of_date
    group by as_of_dates.as_of_date

),

programme_figures as (

    select
        (select erdf_budget_eur from programmes) as programme_budget_eur,
        (select count(*) from eligible_regions) as nuts2_regions_eligible

),

final as (

    select
        figures_as_of.as_of_date,
        cast(figures_as_of.projects as bigint) as projects,
        cast(figures_as_of.policy_learning_events as bigint) as policy_learning_events,
        cast(figures_as_of.good_practices_identified as bigint) as good_practices_identified,
        cast(figures_as_of.good_practices_validated as bigint) as good_practices_validated,
        cast(figures_as_of.people_with_increased_capacity as bigint)
            as people_with_increased_capacity,
        cast(figures_as_of.action_plans as bigint) as action_plans,
        cast(figures_as_of.policy_instruments_influenced as bigint)
            as policy_instruments_influenced,
        cast(figures_as_of.policy_instruments_influenced_sf as bigint)
            as policy_instruments_influenced_sf,
        cast(figures_as_of.financial_impact_eur as decimal(18, 2)) as financial_impact_eur,
        cast(figures_as_of.financial_impact_sf_eur as decimal(18, 2)) as financial_impact_sf_eur,
        cast(programme_figures.programme_budget_eur as decimal(18, 2)) as programme_budget_eur,
        cast(figures_as_of.nuts2_regions_involved as bigint) as nuts2_regions_involved,
        cast(programme_figures.nuts2_regions_eligible as bigint) as nuts2_regions_eligible,
        {{ pct_half_up(
            'cast(figures_as_of.nuts2_regions_involved as bigint)',
            'programme_figures.nuts2_regions_eligible'
        ) }} as nuts2_coverage_pct
    from figures_as_of
    cross join programme_figures

)

select * from final
