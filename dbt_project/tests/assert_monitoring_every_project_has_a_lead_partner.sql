{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'stg_monitoring__projects'}}}) }}
-- The contract: exactly one partner with role `lead` per project. A project without one
-- can only come from rows quarantined upstream: warn, the marts then show a null lead.
select projects.project_id
from {{ ref('stg_monitoring__projects') }} as projects
where not exists (
    select 1
    from {{ ref('stg_monitoring__partners') }} as partners
    where partners.project_id = projects.project_id
        and partners.role = 'lead'
)
