{{ config(meta={'dagster': {'ref': {'name': 'stg_monitoring__partners'}}}) }}
-- The contract: exactly one partner with role `lead` per project. Never more than one.
select
    project_id,
    count(*) as lead_partners
from {{ ref('stg_monitoring__partners') }}
where role = 'lead'
group by project_id
having count(*) > 1
