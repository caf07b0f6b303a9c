with

source as (

    select * from {{ source('monitoring', 'projects') }}

),

final as (

    select
        cast(project_id as varchar) as project_id,
        cast(acronym as varchar) as acronym,
        cast(title as varchar) as title,
        cast(priority_axis as integer) as priority_axis,
        cast(call_no as integer) as call_no,
        cast(status as varchar) as status,
        cast(approved_on as date) as approved_on,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(total_budget_eur as decimal(18, 2)) as total_budget_eur,
        cast(erdf_eur as decimal(18, 2)) as erdf_eur,
        cast(website as varchar) as website,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
