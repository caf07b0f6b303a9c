-- keep.eu partners with the project they belong to (int_keep_projects_merged): by project
-- ID where the row has one (2021-2027), else by acronym, within the programme
-- (sources.md). Where several inputs hold a project's partners, those of the first input
-- win, as for projects (an archived workbook and its CSV twin are not counted twice). A
-- partner whose project is in no input keeps its own programme and acronym, period null.
-- Country codes in EU usage, as in the monitoring export: ISO GR and GB are EL and UK.
with

partners as (

    select
        *,
        -- By ID where the row has one, else by acronym: one equi-join does both.
        coalesce('id:' || keep_project_id, 'acronym:' || acronym) as match_key
    from {{ ref('stg_keep__partners') }}

),

projects as (

    select
        *,
        coalesce('id:' || keep_project_id, 'acronym:' || acronym) as match_key
    from {{ ref('int_keep_projects_merged') }}

),

assigned as (

    select
        partners.* exclude (match_key),
        projects.keep_project_key as project_key,
        projects.period,
        projects.acronym as project_acronym
    from partners
    left join projects
        on partners.programme = projects.programme
        and partners.match_key = projects.match_key
    -- The same programme name and acronym in two periods: the later period's project.
    qualify row_number() over (
        partition by partners.source_order, partners.source_sheet, partners.source_row_number
        order by projects.period desc nulls last
    ) = 1

),

keyed as (

    select
        *,
        coalesce(
            project_key,
            cast(to_json(list_value(programme, null, acronym)) as varchar)
        ) as keep_project_key
    from assigned

),

first_input as (

    select
        *,
        min(source_order) over (partition by keep_project_key) as first_order
    from keyed

),

final as (

    select
        keep_project_key,
        project_key is not null as has_project,
        programme,
        period,
        coalesce(project_acronym, acronym) as project_acronym,
        keep_project_id,
        coalesce(organisation_name, organisation_name_2) as organisation_name,
        is_lead_partner,
        case country_code
            when 'GR' then 'EL'
            when 'GB' then 'UK'
            else country_code
        end as country_code,
        country_name,
        nuts1_code,
        nuts2_code,
        nuts3_code,
        town,
        budget_eur,
        erdf_eur,
        source_file,
        source_order,
        source_sheet,
        source_row_number
    from first_input
    where source_order = first_order

)

select * from final
