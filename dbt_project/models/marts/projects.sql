-- One row per non-withdrawn project, with its partnership and whether keep.eu lists it
-- (matched on the acronym within the programme: int_keep_project_matches).
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

keep_matches as (

    select * from {{ ref('int_keep_project_matches') }}
    where project_id is not null

),

keep_projects as (

    select * from {{ ref('int_keep_projects_merged') }}

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
        partnerships.lead_partner_name,
        keep_matches.keep_project_key is not null as is_in_keep,
        keep_projects.themes as keep_themes
    from projects
    left join partnerships
        on projects.project_id = partnerships.project_id
    left join keep_matches
        on projects.project_id = keep_matches.project_id
    left join keep_projects
        on keep_matches.keep_project_key = keep_projects.keep_project_key

)

select * from final
