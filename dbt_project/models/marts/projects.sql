-- One row per non-withdrawn project, with its partnership.
with

projects as (

    select * from {{ ref('int_projects_active') }}

),

partners as (

    select * from {{ ref('int_partners_active') }}

),

partnerships as (

    select
        project_id,
        count(*) as partners,
        count(distinct country_code) as countries,
        -- The contract guarantees one lead per project (tested on the source).
        min(organisation_name) filter (where is_lead_partner) as lead_partner_name
    from partners
    group by project_id

),

final as (

    select
        projects.project_id,
        projects.acronym,
        projects.title,
        projects.priority_axis,
        projects.call_no,
        projects.status,
        projects.start_date,
        projects.end_date,
        projects.total_budget_eur,
        projects.erdf_eur,
        coalesce(partnerships.partners, 0) as partners,
        coalesce(partnerships.countries, 0) as countries,
        partnerships.lead_partner_name
    from projects
    left join partnerships
        on projects.project_id = partnerships.project_id

)

select * from final
