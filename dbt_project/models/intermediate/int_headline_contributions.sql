-- Every dated contribution to a summable headline figure, withdrawn projects excluded:
--     figure as of D = sum(contribution) over the figure's rows
--                      with valid_from <= D < coalesce(valid_to, +infinity).
-- valid_to is null except for indicator values, whose report may be superseded.
-- Constant figures (programme_budget_eur, nuts2_regions_eligible) and the derived
-- nuts2_coverage_pct are not contributions: headline_results takes them directly.
-- Key: (figure, source_id); source_id is the id of the contributing row (project_id,
-- report_id, good_practice_id, change_id, or nuts2_code for regions).
with

projects as (

    select * from {{ ref('int_projects_active') }}

),

effective_reports as (

    select * from {{ ref('int_progress_reports_effective') }}

),

indicator_values as (

    select * from {{ ref('stg_monitoring__indicator_values') }}

),

good_practices as (

    select * from {{ ref('stg_monitoring__good_practices') }}

),

policy_changes as (

    select * from {{ ref('int_policy_changes_validated') }}

),

partners as (

    select * from {{ ref('int_partners_active') }}

),

eligible_regions as (

    select * from {{ ref('stg_monitoring__eligible_regions') }}

),

project_contributions as (

    select
        'projects' as figure,
        project_id as source_id,
        project_id,
        approved_on as valid_from,
        cast(null as date) as valid_to,
        cast(1 as decimal(18, 2)) as contribution
    from projects

),

indicator_contributions as (

    select
        case indicator_values.indicator_code
            when 'O1' then 'policy_learning_events'
            when 'O2' then 'good_practices_identified'
            when 'O3' then 'people_with_increased_capacity'
            when 'O4' then 'action_plans'
        end as figure,
        effective_reports.report_id as source_id,
        effective_reports.project_id,
        effective_reports.valid_from,
        effective_reports.valid_to,
        cast(indicator_values.value as decimal(18, 2)) as contribution
    from effective_reports
    inner join indicator_values
        on effective_reports.report_id = indicator_values.report_id
    where indicator_values.indicator_code in ('O1', 'O2', 'O3', 'O4')

),

good_practice_contributions as (

    select
        'good_practices_validated' as figure,
        good_practices.good_practice_id as source_id,
        good_practices.project_id,
        good_practices.validated_on as valid_from,
        cast(null as date) as valid_to,
        cast(1 as decimal(18, 2)) as contribution
    from good_practices
    inner join projects
        on good_practices.project_id = projects.project_id
    where good_practices.status = 'validated'

),

policy_change_figures as (

    select
        policy_changes.*,
        figures.figure
    from policy_changes
    cross join (
        values
            ('policy_instruments_influenced'),
            ('policy_instruments_influenced_sf'),
            ('financial_impact_eur'),
            ('financial_impact_sf_eur')
    ) as figures (figure)

),

policy_change_contributions as (

    select
        figure,
        change_id as source_id,
        project_id,
        validated_on as valid_from,
        cast(null as date) as valid_to,
        cast(
            case figure
                when 'policy_instruments_influenced' then 1
                when 'policy_instruments_influenced_sf' then 1
                when 'financial_impact_eur' then total_influenced_eur
                when 'financial_impact_sf_eur' then sf_influenced_eur
            end
            as decimal(18, 2)
        ) as contribution
    from policy_change_figures
    where figure <> 'policy_instruments_influenced_sf' or is_structural_funds

),

region_contributions as (

    -- An eligible region is involved from the first approval of an active project with
    -- a partner in it.
    select
        'nuts2_regions_involved' as figure,
        eligible_regions.nuts2_code as source_id,
        cast(null as varchar) as project_id,
        min(partners.project_approved_on) as valid_from,
        cast(null as date) as valid_to,
        cast(1 as decimal(18, 2)) as contribution
    from eligible_regions
    inner join partners
        on eligible_regions.nuts2_code = partners.nuts2_code
    group by eligible_regions.nuts2_code

),

final as (

    select * from project_contributions
    union all
    select * from indicator_contributions
    union all
    select * from good_practice_contributions
    union all
    select * from policy_change_contributions
    union all
    select * from region_contributions

)

select * from final
