-- One row per keep.eu project (programme, period, acronym): every programme an input
-- holds, not only the monitoring export's. lead_partner_name is the projects sheet's
-- (legacy layout; several lead partners joined with '; '), else the partners marked as
-- lead. partners counts the project's partner rows (0 where no input lists any).
with

projects as (

    select * from {{ ref('int_keep_projects_merged') }}

),

partners as (

    select * from {{ ref('int_keep_partners_assigned') }}

),

partnerships as (

    select
        keep_project_key,
        count(*) as partners,
        string_agg(organisation_name, '; ' order by source_row_number)
            filter (where is_lead_partner) as lead_partner_name
    from partners
    group by keep_project_key

),

final as (

    select
        projects.programme,
        projects.period,
        projects.acronym as project_acronym,
        projects.project_name,
        projects.start_date,
        projects.end_date,
        projects.total_budget_eur,
        projects.eu_funding_eur,
        coalesce(projects.lead_partner_name, partnerships.lead_partner_name)
            as lead_partner_name,
        coalesce(partnerships.partners, 0) as partners
    from projects
    left join partnerships
        on projects.keep_project_key = partnerships.keep_project_key

)

select * from final
