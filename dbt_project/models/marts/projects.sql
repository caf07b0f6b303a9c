-- One row per non-withdrawn project approved by the export's date, with its partnership, its lead partner's place, its
-- results as of the export (the last date of project_results; 0 where it has none) and
-- what keep.eu says of it (matched on the acronym within the programme:
-- int_keep_project_matches).
{%- set results = project_figures() %}
with

projects as (

    select * from {{ ref('int_projects_active') }}

),

partners as (

    select * from {{ ref('partners') }}

),

project_results as (

    select * from {{ ref('project_results') }}
    where as_of_date = {{ export_date() }}

),

priority_axes as (

    select * from {{ ref('priority_axes') }}

),

project_statuses as (

    select * from {{ ref('project_statuses') }}

),

partnerships as (

    select
        project_id,
        count(*) as partners,
        count(distinct country_code) as countries
    from partners
    group by project_id

),

lead_partners as (

    -- The contract guarantees one lead per project (tested on the source); should a
    -- quarantine leave two, the first by partner_id.
    select *
    from partners
    where is_lead_partner
    qualify row_number() over (partition by project_id order by partner_id) = 1

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
        priority_axes.priority_axis_label,
        projects.call_no,
        projects.status,
        project_statuses.status_label,
        projects.approved_on,
        projects.start_date,
        projects.end_date,
        projects.total_budget_eur,
        projects.erdf_eur,
        projects.website,
        coalesce(partnerships.partners, 0) as partners,
        coalesce(partnerships.countries, 0) as countries,
        lead_partners.organisation_name as lead_partner_name,
        lead_partners.country_code as lead_partner_country_code,
        lead_partners.country_name as lead_partner_country_name,
        lead_partners.nuts2_code as lead_partner_nuts2_code,
        lead_partners.region_name as lead_partner_region_name,
        {%- for figure in results %}
        coalesce(
            project_results.{{ figure }},
            cast(0 as {{ 'decimal(18, 2)' if figure.endswith('_eur') else 'bigint' }})
        ) as {{ figure }},
        {%- endfor %}
        keep_matches.keep_project_key is not null as is_in_keep,
        keep_projects.themes as keep_themes,
        keep_projects.description as keep_description
    from projects
    left join partnerships
        on projects.project_id = partnerships.project_id
    left join lead_partners
        on projects.project_id = lead_partners.project_id
    left join priority_axes
        on projects.priority_axis = priority_axes.priority_axis
    left join project_statuses
        on projects.status = project_statuses.status
    left join project_results
        on projects.project_id = project_results.project_id
    left join keep_matches
        on projects.project_id = keep_matches.project_id
    left join keep_projects
        on keep_matches.keep_project_key = keep_projects.keep_project_key
    where projects.approved_on <= {{ export_date() }}

)

select * from final
