-- One row per validated policy change of a non-withdrawn project, with its instrument,
-- the instrument's responsible partner and the project.
with

policy_changes as (

    select * from {{ ref('int_policy_changes_validated') }}

),

final as (

    select
        change_id,
        project_id,
        project_acronym,
        partner_id,
        organisation_name,
        country_code,
        nuts2_code,
        instrument_id,
        instrument_name,
        instrument_type,
        is_structural_funds,
        change_type,
        description,
        sf_influenced_eur,
        other_influenced_eur,
        total_influenced_eur,
        validated_on
    from policy_changes

)

select * from final
