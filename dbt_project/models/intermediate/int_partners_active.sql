-- Partners of active (not withdrawn) projects, with their project's approval date: a
-- partner "is of a project with approved_on <= D" from project_approved_on on.
with

partners as (

    select * from {{ ref('stg_monitoring__partners') }}

),

projects as (

    select * from {{ ref('int_projects_active') }}

),

final as (

    select
        partners.partner_id,
        partners.project_id,
        partners.organisation_name,
        partners.organisation_name_en,
        partners.role,
        partners.role = 'lead' as is_lead_partner,
        partners.legal_status,
        partners.country_code,
        partners.nuts2_code,
        partners.town,
        partners.postcode,
        partners.budget_eur,
        partners.erdf_eur,
        projects.approved_on as project_approved_on
    from partners
    inner join projects
        on partners.project_id = projects.project_id

)

select * from final
