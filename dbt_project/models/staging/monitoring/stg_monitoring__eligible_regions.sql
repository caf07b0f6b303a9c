with

source as (

    select * from {{ source('monitoring', 'eligible_regions') }}

),

final as (

    select
        cast(nuts2_code as varchar) as nuts2_code,
        cast(country_code as varchar) as country_code,
        cast(region_name as varchar) as region_name,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
