-- regional_coverage_history on its last date, the export's: one row per NUTS-2 code that is
-- eligible (in the programme area) or is the nuts2_code of a partner of a non-withdrawn
-- project approved by then. A select of the history, never a second counting, so that the
-- two cannot differ.
with

history as (

    select * from {{ ref('regional_coverage_history') }}
    where as_of_date = {{ export_date() }}
        and (is_eligible or partners > 0)

),

final as (

    select
        nuts2_code,
        country_code,
        country_name,
        region_name,
        is_eligible,
        partners,
        projects,
        lead_partners,
        policy_changes
    from history

)

select * from final
