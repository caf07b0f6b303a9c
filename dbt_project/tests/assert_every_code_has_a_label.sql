{{ config(meta={'dagster': {'ref': {'name': 'policy_changes'}}}) }}
-- Every instrument type, change type, priority axis, project status, partner role and legal
-- status in the marts has its label in the reference lists (seeds/): a code without one is a
-- new code the contract does not know.
select 'instrument_type' as code_list, instrument_type as code
from {{ ref('policy_changes') }}
where instrument_type_label is null
union
select 'change_type', change_type
from {{ ref('policy_changes') }}
where change_type_label is null
union
select 'priority_axis', cast(priority_axis as varchar)
from {{ ref('projects') }}
where priority_axis_label is null
union
select 'status', status
from {{ ref('projects') }}
where status_label is null
union
select 'role', role
from {{ ref('partners') }}
where role_label is null
union
select 'legal_status', legal_status
from {{ ref('partners') }}
where legal_status_label is null
