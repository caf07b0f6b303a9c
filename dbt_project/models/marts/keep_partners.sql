-- One row per keep.eu partnership (a partner of a project) of the first input that holds
-- the project. NUTS codes are plain codes (the region's name is in the raw table);
-- country codes in the EU usage of the monitoring export (EL, UK).
with

partners as (

    select * from {{ ref('int_keep_partners_assigned') }}

),

final as (

    select
        programme,
        project_acronym,
        organisation_name,
        is_lead_partner,
        country_code,
        nuts2_code,
        nuts3_code,
        town,
        budget_eur
    from partners

)

select * from final
