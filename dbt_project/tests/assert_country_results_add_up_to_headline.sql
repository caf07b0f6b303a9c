{{ config(meta={'dagster': {'ref': {'name': 'country_results'}}}) }}
-- On every date of headline_results, summed over countries: the policy changes, their
-- funds, the good practices validated and the regions involved equal the headline, and the
-- partners equal the partners of projects approved by the date (marts.partners: none lost
-- for want of a region).
with

sums as (

    select
        as_of_date,
        sum(policy_changes) as policy_changes,
        sum(financial_impact_eur) as financial_impact_eur,
        sum(financial_impact_sf_eur) as financial_impact_sf_eur,
        sum(good_practices_validated) as good_practices_validated,
        sum(regions_involved) as regions_involved,
        sum(partners) as partners
    from {{ ref('country_results') }}
    group by as_of_date

),

partners_by_date as (

    select
        headline.as_of_date,
        count(partners.partner_id) as partners
    from {{ ref('headline_results') }} as headline
    left join {{ ref('partners') }} as partners
        on partners.project_approved_on <= headline.as_of_date
    group by headline.as_of_date

)

select headline.as_of_date
from {{ ref('headline_results') }} as headline
left join sums
    on headline.as_of_date = sums.as_of_date
inner join partners_by_date
    on headline.as_of_date = partners_by_date.as_of_date
where headline.policy_instruments_influenced <> coalesce(sums.policy_changes, 0)
    or headline.financial_impact_eur <> coalesce(sums.financial_impact_eur, 0)
    or headline.financial_impact_sf_eur <> coalesce(sums.financial_impact_sf_eur, 0)
    or headline.good_practices_validated <> coalesce(sums.good_practices_validated, 0)
    or headline.nuts2_regions_involved <> coalesce(sums.regions_involved, 0)
    or partners_by_date.partners <> coalesce(sums.partners, 0)
