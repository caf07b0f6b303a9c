with

source as (

    select * from {{ source('monitoring', 'policy_changes') }}

),

final as (

    select
        cast(change_id as varchar) as change_id,
        cast(instrument_id as varchar) as instrument_id,
        cast(project_id as varchar) as project_id,
        cast(report_id as varchar) as report_id,
        cast(change_type as varchar) as change_type,
        cast(description as varchar) as description,
        cast(sf_influenced_eur as decimal(18, 2)) as sf_influenced_eur,
        cast(other_influenced_eur as decimal(18, 2)) as other_influenced_eur,
        cast(status as varchar) as status,
        cast(validated_on as date) as validated_on,
        cast(_row_number as bigint) as source_row_number
    from source

)

select * from final
