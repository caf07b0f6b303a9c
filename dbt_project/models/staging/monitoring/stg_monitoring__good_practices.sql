with

source as (

    select * from {{ source('monitoring', 'good_practices') }}

),

final as (

    select
        cast(good_practice_id as varchar) as good_practice_id,
        cast(project_id as varchar) as project_id,
        cast(partner_id as varchar) as partner_id,
        cast(title as varchar) as title,
        cast(country_code as varchar) as country_code,
        cast(submitted_on as date) as submitted_on,
        cast(status as varchar) as status,
        cast(validated_on as date) as validated_on,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
