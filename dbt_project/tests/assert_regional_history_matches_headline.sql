{{ config(meta={'dagster': {'ref': {'name': 'regional_coverage_history'}}}) }}
-- On every date of headline_results, the eligible regions involved are the headline's
-- nuts2_regions_involved and the eligible regions its nuts2_regions_eligible.
-- (regional_coverage is a select of the history's last date: nothing to tie there.)
with

by_date as (

    select
        as_of_date,
        count(*) filter (where is_eligible and is_involved) as involved,
        count(*) filter (where is_eligible) as eligible
    from {{ ref('regional_coverage_history') }}
    group by as_of_date

)

select headline.as_of_date
from {{ ref('headline_results') }} as headline
left join by_date
    on headline.as_of_date = by_date.as_of_date
where headline.nuts2_regions_involved <> coalesce(by_date.involved, 0)
    or headline.nuts2_regions_eligible <> coalesce(by_date.eligible, 0)
