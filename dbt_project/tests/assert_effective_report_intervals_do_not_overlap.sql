-- At most one version of a (project, period) report is effective on any date.
select
    earlier.report_id,
    later.report_id as overlapping_report_id
from {{ ref('int_progress_reports_effective') }} as earlier
inner join {{ ref('int_progress_reports_effective') }} as later
    on earlier.project_id = later.project_id
    and earlier.period_no = later.period_no
    and earlier.version < later.version
where earlier.valid_from < coalesce(later.valid_to, date '9999-12-31')
    and later.valid_from < coalesce(earlier.valid_to, date '9999-12-31')
