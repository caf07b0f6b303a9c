-- The contract: exactly one partner with role `lead` per project. Never more than one.
select
    project_id,
    count(*) as lead_partners
from {{ source('monitoring', 'partners') }}
where role = 'lead'
group by project_id
having count(*) > 1
