{{ config(severity='warn') }}
-- The contract: exactly one partner with role `lead` per project. A project without one
-- can only come from rows quarantined upstream: warn, the marts then show a null lead.
select projects.project_id
from {{ source('monitoring', 'projects') }} as projects
where not exists (
    select 1
    from {{ source('monitoring', 'partners') }} as partners
    where partners.project_id = projects.project_id
        and partners.role = 'lead'
)
