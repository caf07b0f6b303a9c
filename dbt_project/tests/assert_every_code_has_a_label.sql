{{ config(meta={'dagster': {'ref': {'name': 'policy_changes'}}}) }}
-- Every instrument type, change type and priority axis in the marts has its label in the
-- reference lists (seeds/): a code without one is a new code the contract does not know.
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
