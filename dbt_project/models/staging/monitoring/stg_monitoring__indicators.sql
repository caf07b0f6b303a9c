with

source as (

    select * from {{ source('monitoring', 'indicators') }}

),

final as (

    select
        cast(indicator_code as varchar) as indicator_code,
        cast(name as varchar) as indicator_name,
        cast(unit as varchar) as unit,
        cast(kind as varchar) as kind,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
