-- Report versions as validity intervals.
--
-- Contract: as of D, the effective report of a (project_id, period_no) is the approved
-- version with the highest `version` among those with approved_on <= D. So an approved
-- version v is effective at D iff approved_on(v) <= D and no approved version w with
-- version(w) > version(v) has approved_on(w) <= D, i.e. D is in
--     [valid_from, valid_to) with valid_from = approved_on(v),
--                                 valid_to   = min(approved_on(w) : w approved, version(w) > version(v))
-- (valid_to null = still effective). A version with valid_to <= valid_from is never
-- effective (a higher version was approved on or before it) and is left out. Submitted
-- and rejected versions never count; withdrawn projects are excluded.
with

progress_reports as (

    select * from {{ ref('stg_monitoring__progress_reports') }}

),

projects as (

    select * from {{ ref('int_projects_active') }}

),

approved_reports as (

    select progress_reports.*
    from progress_reports
    inner join projects
        on progress_reports.project_id = projects.project_id
    where progress_reports.status = 'approved'

),

intervals as (

    select
        report_id,
        project_id,
        period_no,
        version,
        approved_on,
        approved_on as valid_from,
        -- Ordered by version descending, the preceding rows are the higher versions.
        min(approved_on) over (
            partition by project_id, period_no
            order by version desc
            rows between unbounded preceding and 1 preceding
        ) as valid_to
    from approved_reports

),

final as (

    select
        report_id,
        project_id,
        period_no,
        version,
        approved_on,
        valid_from,
        valid_to,
        valid_to is null as is_effective_at_export
    from intervals
    where valid_to is null or valid_to > valid_from

)

select * from final
