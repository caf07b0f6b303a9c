-- One row per keep.eu partnership (a partner of a project) of the first input that holds
-- the project. NUTS codes are plain codes (the region's name is in the raw table);
-- country codes in the EU usage of the monitoring export (EL, UK).
with

partners as (

    select * from {{ ref('int_keep_partners_assigned') }}

),

country_names as (

    select * from {{ ref('country_names') }}

),

final as (

    select
        programme,
        project_acronym,
        organisation_name,
        is_lead_partner,
        partners.country_code,
        country_names.country_name,
        nuts2_code,
        nuts3_code,
        town,
        budget_eur
    from partners
    left join country_names
        on partners.country_code = country_names.country_code

)

select * from final
