-- regional_coverage as of every date of headline_results: one row per date and NUTS-2 code
-- that is eligible or is the region of a partner of a non-withdrawn project. Partners,
-- projects and lead partners count the projects approved by the date; policy changes and
-- their funds the changes validated by the date, on instruments of the region's territory
-- (national instruments belong to no region). is_involved: a partner of a project approved
-- by the date is in the region; the eligible regions involved are the headline's
-- nuts2_regions_involved on every date (tests/assert_regional_history_matches_headline.sql).
with

eligible_regions as (

    select * from {{ ref('stg_monitoring__eligible_regions') }}

),

partners as (

    select * from {{ ref('int_partners_active') }}
    where nuts2_code is not null

),

policy_changes as (

    select * from {{ ref('int_policy_changes_validated') }}
    where nuts2_code is not null

),

country_names as (

    select * from {{ ref('country_names') }}

),

regions as (

    select nuts2_code from eligible_regions
    union
    select nuts2_code from partners

),

changes as (

    select nuts2_code, 'partners' as figure, project_approved_on as changed_on, 1 as amount
    from partners

    union all

    select nuts2_code, 'lead_partners', project_approved_on, 1
    from partners
    where is_lead_partner

    union all

    select nuts2_code, 'projects', min(project_approved_on), 1
    from partners
    group by nuts2_code, project_id

    union all

    select nuts2_code, 'policy_changes', validated_on, 1
    from policy_changes

    union all

    select nuts2_code, 'financial_impact_eur', validated_on, total_influenced_eur
    from policy_changes

),

figures as {{ running_figures(
    'changes',
    ['nuts2_code'],
    ['partners', 'projects', 'lead_partners', 'policy_changes', 'financial_impact_eur'],
    spine='regions',
) }},

final as (

    select
        figures.as_of_date,
        figures.nuts2_code,
        -- NUTS codes start with the country's code (EU usage: EL, UK).
        coalesce(eligible_regions.country_code, left(figures.nuts2_code, 2)) as country_code,
        country_names.country_name,
        eligible_regions.region_name,
        eligible_regions.nuts2_code is not null as is_eligible,
        figures.partners > 0 as is_involved,
        cast(figures.partners as bigint) as partners,
        cast(figures.projects as bigint) as projects,
        cast(figures.lead_partners as bigint) as lead_partners,
        cast(figures.policy_changes as bigint) as policy_changes,
        cast(figures.financial_impact_eur as decimal(18, 2)) as financial_impact_eur
    from figures
    left join eligible_regions
        on figures.nuts2_code = eligible_regions.nuts2_code
    left join country_names
        on coalesce(eligible_regions.country_code, left(figures.nuts2_code, 2))
            = country_names.country_code

)

select * from final
