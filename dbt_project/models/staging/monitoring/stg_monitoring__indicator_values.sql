with

source as (

    select * from {{ source('monitoring', 'indicator_values') }}

),

final as (

    select
        cast(report_id as varchar) as report_id,
        cast(indicator_code as varchar) as indicator_code,
        cast(value as bigint) as value,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
