with

source as (

    select * from {{ source('monitoring', 'partners') }}

),

final as (

    select
        cast(partner_id as varchar) as partner_id,
        cast(project_id as varchar) as project_id,
        cast(organisation_name as varchar) as organisation_name,
        cast(organisation_name_en as varchar) as organisation_name_en,
        cast(role as varchar) as role,
        cast(legal_status as varchar) as legal_status,
        cast(country_code as varchar) as country_code,
        cast(nuts2_code as varchar) as nuts2_code,
        cast(town as varchar) as town,
        cast(postcode as varchar) as postcode,
        cast(budget_eur as decimal(18, 2)) as budget_eur,
        cast(erdf_eur as decimal(18, 2)) as erdf_eur,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
