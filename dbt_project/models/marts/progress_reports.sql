-- One row per version of a progress report of a non-withdrawn project, as it stood on the
-- export's date E: a version submitted after E is not listed, and one approved after E is
-- still `submitted` there. is_effective_at_export: the version that counts at E (the
-- approved version with the highest `version` among those approved by E, for its project
-- and period: int_progress_reports_effective). approval_days: from submission to approval.
with

reports as (

    select * from {{ ref('stg_monitoring__progress_reports') }}

),

projects as (

    select * from {{ ref('int_projects_active') }}

),

effective_at_export as (

    select report_id
    from {{ ref('int_progress_reports_effective') }}
    where valid_from <= {{ export_date() }}
        and (valid_to is null or valid_to > {{ export_date() }})

),

dated as (

    select
        *,
        {{ reached_by_export('status', 'approved', 'approved_on') }} as is_approved_by_export
    from reports
    where submitted_on <= {{ export_date() }}

),

final as (

    select
        dated.report_id,
        dated.project_id,
        projects.acronym as project_acronym,
        dated.period_no,
        dated.period_start_on,
        dated.period_end_on,
        dated.version,
        {{ status_by_export('dated.status', 'approved', 'dated.approved_on') }} as status,
        dated.submitted_on,
        case when dated.is_approved_by_export then dated.approved_on end as approved_on,
        case
            when dated.is_approved_by_export
                then cast(dated.approved_on - dated.submitted_on as bigint)
        end as approval_days,
        effective_at_export.report_id is not null as is_effective_at_export
    from dated
    inner join projects
        on dated.project_id = projects.project_id
    left join effective_at_export
        on dated.report_id = effective_at_export.report_id

)

select * from final
