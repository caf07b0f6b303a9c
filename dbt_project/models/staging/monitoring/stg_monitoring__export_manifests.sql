with

source as (

    select * from {{ source('monitoring', 'export_manifest') }}

),

final as (

    select
        cast(schema_version as varchar) as schema_version,
        cast(programme_id as varchar) as programme_id,
        cast(exported_at as timestamp) as exported_at,
        cast(cast(exported_at as timestamp) as date) as exported_on
    from source

)

select * from final
