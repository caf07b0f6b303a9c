with

source as (

    select * from {{ source('monitoring', 'policy_instruments') }}

),

final as (

    select
        cast(instrument_id as varchar) as instrument_id,
        cast(project_id as varchar) as project_id,
        cast(partner_id as varchar) as partner_id,
        cast(name as varchar) as instrument_name,
        cast(instrument_type as varchar) as instrument_type,
        cast(nuts2_code as varchar) as nuts2_code,
        cast(managing_authority as varchar) as managing_authority,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
