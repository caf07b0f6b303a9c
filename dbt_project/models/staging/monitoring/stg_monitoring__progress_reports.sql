with

source as (

    select * from {{ source('monitoring', 'progress_reports') }}

),

final as (

    select
        cast(report_id as varchar) as report_id,
        cast(project_id as varchar) as project_id,
        cast(period_no as integer) as period_no,
        cast(period_start as date) as period_start_on,
        cast(period_end as date) as period_end_on,
        cast(version as integer) as version,
        cast(status as varchar) as status,
        cast(submitted_on as date) as submitted_on,
        cast(approved_on as date) as approved_on,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
