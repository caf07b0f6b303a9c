with

source as (

    select * from {{ source('monitoring', 'programme') }}

),

final as (

    select
        cast(programme_id as varchar) as programme_id,
        cast(programme_name as varchar) as programme_name,
        cast(period as varchar) as programme_period,
        cast(erdf_budget_eur as decimal(18, 2)) as erdf_budget_eur,
        cast(nuts_version as integer) as nuts_version,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
