-- One row per policy change of a non-withdrawn project validated by the export's date
-- (one validated after it counts on no date), with its instrument, the instrument's
-- responsible partner and the project.
with

policy_changes as (

    select * from {{ ref('int_policy_changes_validated') }}

),

country_names as (

    select * from {{ ref('country_names') }}

),

eligible_regions as (

    select * from {{ ref('stg_monitoring__eligible_regions') }}

),

instrument_types as (

    select * from {{ ref('instrument_types') }}

),

change_types as (

    select * from {{ ref('change_types') }}

),

final as (

    select
        policy_changes.change_id,
        policy_changes.project_id,
        policy_changes.project_acronym,
        policy_changes.partner_id,
        policy_changes.organisation_name,
        policy_changes.country_code,
        country_names.country_name,
        policy_changes.nuts2_code,
        eligible_regions.region_name,
        policy_changes.instrument_id,
        policy_changes.instrument_name,
        policy_changes.instrument_type,
        instrument_types.instrument_type_label,
        policy_changes.is_structural_funds,
        policy_changes.change_type,
        change_types.change_type_label,
        policy_changes.description,
        policy_changes.sf_influenced_eur,
        policy_changes.other_influenced_eur,
        policy_changes.total_influenced_eur,
        policy_changes.validated_on
    from policy_changes
    left join country_names
        on policy_changes.country_code = country_names.country_code
    left join eligible_regions
        on policy_changes.nuts2_code = eligible_regions.nuts2_code
    left join instrument_types
        on policy_changes.instrument_type = instrument_types.instrument_type
    left join change_types
        on policy_changes.change_type = change_types.change_type
    where policy_changes.validated_on <= {{ export_date() }}

)

select * from final
