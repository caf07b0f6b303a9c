-- One row per partner of a non-withdrawn project approved by the export's date, with
-- labels: the partner level that country and regional totals add up from. A partner without a NUTS-2 code is kept, with a
-- null nuts2_code; region_name is the programme area's name for the code (null outside it).
with

partners as (

    select * from {{ ref('int_partners_active') }}

),

projects as (

    select * from {{ ref('int_projects_active') }}

),

eligible_regions as (

    select * from {{ ref('stg_monitoring__eligible_regions') }}

),

country_names as (

    select * from {{ ref('country_names') }}

),

partner_roles as (

    select * from {{ ref('partner_roles') }}

),

legal_statuses as (

    select * from {{ ref('legal_statuses') }}

),

final as (

    select
        partners.partner_id,
        partners.project_id,
        projects.acronym as project_acronym,
        partners.organisation_name,
        partners.organisation_name_en,
        partners.role,
        partner_roles.role_label,
        partners.is_lead_partner,
        partners.legal_status,
        legal_statuses.legal_status_label,
        partners.country_code,
        country_names.country_name,
        partners.nuts2_code,
        eligible_regions.region_name,
        eligible_regions.nuts2_code is not null as is_in_programme_area,
        partners.budget_eur,
        partners.erdf_eur,
        partners.project_approved_on
    from partners
    inner join projects
        on partners.project_id = projects.project_id
    left join eligible_regions
        on partners.nuts2_code = eligible_regions.nuts2_code
    left join country_names
        on partners.country_code = country_names.country_code
    left join partner_roles
        on partners.role = partner_roles.role
    left join legal_statuses
        on partners.legal_status = legal_statuses.legal_status
    where partners.project_approved_on <= {{ export_date() }}

)

select * from final
