{{ config(meta={'dagster': {'ref': {'name': 'regional_coverage_history'}}}) }}
-- On every date of headline_results, the eligible regions involved are the headline's
-- nuts2_regions_involved and the eligible regions its nuts2_regions_eligible; on the last
-- date the history is regional_coverage.
with

by_date as (

    select
        as_of_date,
        count(*) filter (where is_eligible and is_involved) as involved,
        count(*) filter (where is_eligible) as eligible
    from {{ ref('regional_coverage_history') }}
    group by as_of_date

),

headline_mismatches as (

    select headline.as_of_date
    from {{ ref('headline_results') }} as headline
    left join by_date
        on headline.as_of_date = by_date.as_of_date
    where headline.nuts2_regions_involved <> coalesce(by_date.involved, 0)
        or headline.nuts2_regions_eligible <> coalesce(by_date.eligible, 0)

),

last_date_mismatches as (

    (
        select nuts2_code, partners, projects, lead_partners, policy_changes
        from {{ ref('regional_coverage_history') }}
        where as_of_date = (select max(as_of_date) from {{ ref('headline_results') }})
        except
        select nuts2_code, partners, projects, lead_partners, policy_changes
        from {{ ref('regional_coverage') }}
    )
    union all
    (
        select nuts2_code, partners, projects, lead_partners, policy_changes
        from {{ ref('regional_coverage') }}
        except
        select nuts2_code, partners, projects, lead_partners, policy_changes
        from {{ ref('regional_coverage_history') }}
        where as_of_date = (select max(as_of_date) from {{ ref('headline_results') }})
    )

)

select as_of_date, null as nuts2_code from headline_mismatches
union all
select null, nuts2_code from last_date_mismatches
