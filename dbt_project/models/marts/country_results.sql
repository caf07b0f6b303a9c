-- The results per country as of every date of headline_results. Every count comes from
-- the partner-level rows, never from the regions (a partner without a NUTS-2 code still
-- counts for its country): partners and projects (with a partner in the country) of
-- projects approved by the date; policy changes validated by the date on instruments
-- whose responsible partner is in the country, with their funds; good practices
-- validated by the date, by the good practice's country; eligible regions of the
-- country, and those involved by the date (the headline's rule). Summed over countries,
-- the policy, funds, good-practice and region figures equal headline_results.
with

eligible_regions as (

    select * from {{ ref('stg_monitoring__eligible_regions') }}

),

partners as (

    select * from {{ ref('int_partners_active') }}

),

policy_changes as (

    select * from {{ ref('int_policy_changes_validated') }}

),

good_practices as (

    select * from {{ ref('good_practices') }}
    where status = 'validated'

),

region_involvement as (

    select * from {{ ref('int_headline_contributions') }}
    where figure = 'nuts2_regions_involved'

),

country_names as (

    select * from {{ ref('country_names') }}

),

countries as (

    select country_code from partners
    union
    select country_code from eligible_regions
    union
    select country_code from good_practices

),

changes as (

    select country_code, 'partners' as figure, project_approved_on as changed_on, 1 as amount
    from partners

    union all

    select country_code, 'projects', min(project_approved_on), 1
    from partners
    group by country_code, project_id

    union all

    select eligible_regions.country_code, 'regions_involved', region_involvement.valid_from, 1
    from region_involvement
    inner join eligible_regions
        on region_involvement.source_id = eligible_regions.nuts2_code

    union all

    select country_code, 'policy_changes', validated_on, 1
    from policy_changes

    union all

    select country_code, 'financial_impact_eur', validated_on, total_influenced_eur
    from policy_changes

    union all

    select country_code, 'financial_impact_sf_eur', validated_on, sf_influenced_eur
    from policy_changes

    union all

    select country_code, 'good_practices_validated', validated_on, 1
    from good_practices

),

figures as {{ running_figures(
    'changes',
    ['country_code'],
    [
        'partners',
        'projects',
        'regions_involved',
        'policy_changes',
        'financial_impact_eur',
        'financial_impact_sf_eur',
        'good_practices_validated',
    ],
    spine='countries',
) }},

regions_eligible as (

    select country_code, count(*) as regions_eligible
    from eligible_regions
    group by country_code

),

final as (

    select
        figures.as_of_date,
        figures.country_code,
        country_names.country_name,
        cast(figures.partners as bigint) as partners,
        cast(figures.projects as bigint) as projects,
        coalesce(regions_eligible.regions_eligible, 0) as regions_eligible,
        cast(figures.regions_involved as bigint) as regions_involved,
        cast(figures.policy_changes as bigint) as policy_changes,
        cast(figures.financial_impact_eur as decimal(18, 2)) as financial_impact_eur,
        cast(figures.financial_impact_sf_eur as decimal(18, 2)) as financial_impact_sf_eur,
        cast(figures.good_practices_validated as bigint) as good_practices_validated
    from figures
    left join regions_eligible
        on figures.country_code = regions_eligible.country_code
    left join country_names
        on figures.country_code = country_names.country_code

)

select * from final
