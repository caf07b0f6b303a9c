{{ config(meta={'dagster': {'ref': {'name': 'headline_results'}}}) }}
-- On the last as-of date the headline agrees with the marts it summarises: the policy
-- figures with marts.policy_changes validated by then, the eligible regions with
-- marts.regional_coverage, and the involved regions cannot exceed the eligible regions
-- that have partners.
with

last_headline as (

    select *
    from {{ ref('headline_results') }}
    order by as_of_date desc
    limit 1

),

changes as (

    select
        count(*) as influenced,
        count(*) filter (where policy_changes.is_structural_funds) as influenced_sf,
        coalesce(sum(policy_changes.total_influenced_eur), 0) as impact_eur,
        coalesce(sum(policy_changes.sf_influenced_eur), 0) as impact_sf_eur
    from {{ ref('policy_changes') }} as policy_changes
    where policy_changes.validated_on <= (select as_of_date from last_headline)

),

regions as (

    select
        count(*) filter (where is_eligible) as eligible,
        count(*) filter (where is_eligible and partners > 0) as eligible_with_partners
    from {{ ref('regional_coverage') }}

),

final as (

    select last_headline.as_of_date
    from last_headline
    cross join changes
    cross join regions
    where last_headline.policy_instruments_influenced <> changes.influenced
        or last_headline.policy_instruments_influenced_sf <> changes.influenced_sf
        or last_headline.financial_impact_eur <> changes.impact_eur
        or last_headline.financial_impact_sf_eur <> changes.impact_sf_eur
        or last_headline.nuts2_regions_eligible <> regions.eligible
        or last_headline.nuts2_regions_involved > regions.eligible_with_partners

)

select * from final
