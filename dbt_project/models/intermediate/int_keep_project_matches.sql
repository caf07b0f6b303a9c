-- The programme's projects in both sources: every active monitoring project approved by the
-- export's date (the projects mart's), with the
-- keep.eu project of the same acronym in the same programme (int_keep_programme_projects)
-- if there is one, then every keep.eu project of the programme that no monitoring project
-- matched. Acronyms match whatever their case, accents, spacing and punctuation
-- ("CLUST-REG" = "Clust Reg"); an acronym of punctuation only matches nothing. Where
-- several keep.eu projects match one monitoring project, the exactly equal acronym wins,
-- else the first by acronym.
with

monitoring as (

    select
        project_id,
        acronym,
        regexp_replace(lower(strip_accents(acronym)), '[^\p{L}\p{N}]', '', 'g') as acronym_key
    from {{ ref('int_projects_active') }}
    where approved_on <= {{ export_date() }}

),

keep as (

    select * from {{ ref('int_keep_programme_projects') }}

),

candidates as (

    select
        monitoring.project_id,
        keep.keep_project_key,
        row_number() over (
            partition by monitoring.project_id
            order by keep.acronym = monitoring.acronym desc, keep.acronym, keep.keep_project_key
        ) as preference
    from monitoring
    inner join keep
        on monitoring.acronym_key = keep.acronym_key
    where monitoring.acronym_key <> ''

),

matched as (

    select project_id, keep_project_key
    from candidates
    where preference = 1

),

monitoring_side as (

    select
        monitoring.project_id,
        matched.keep_project_key
    from monitoring
    left join matched
        on monitoring.project_id = matched.project_id

),

keep_only as (

    select
        cast(null as varchar) as project_id,
        keep.keep_project_key
    from keep
    anti join matched
        on keep.keep_project_key = matched.keep_project_key

),

final as (

    select
        project_id,
        keep_project_key,
        case
            when project_id is null then 'keep_only'
            when keep_project_key is null then 'monitoring_only'
            else 'both'
        end as presence
    from (
        select * from monitoring_side
        union all
        select * from keep_only
    ) as sides

)

select * from final
