{{ config(meta={'dagster': {'ref': {'name': 'partners'}}}) }}
-- Every partner of a non-withdrawn project approved by the export's date is in the mart:
-- none lost for want of a region or a name.
with

listed as (

    select count(*) as partners from {{ ref('partners') }}

),

expected as (

    select count(*) as partners
    from {{ ref('int_partners_active') }}
    where project_approved_on <= {{ export_date() }}

)

select listed.partners as listed, expected.partners as expected
from listed
cross join expected
where listed.partners <> expected.partners
