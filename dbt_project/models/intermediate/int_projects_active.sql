-- Projects that count: every project whose status is not `withdrawn`. Everything of a
-- withdrawn project (reports, partners, changes, good practices) is excluded downstream
-- by joining to this model.
with

projects as (

    select * from {{ ref('stg_monitoring__projects') }}

),

final as (

    select *
    from projects
    where status <> 'withdrawn'

)

select * from final
