-- The dates D of the published time series: every calendar month end from the month of
-- the earliest projects.approved_on (over all project rows, withdrawn ones included: the
-- date rule is not a figure) up to and including the month of the export's date (UTC),
-- where the last one is replaced by the export's date when that is earlier.
-- Every month end before the export's month is earlier than the export's date, so
-- least(month end, export date) applies the rule to every month at once.
with

projects as (

    select * from {{ ref('stg_monitoring__projects') }}

),

export_manifests as (

    select * from {{ ref('stg_monitoring__export_manifests') }}

),

bounds as (

    select
        (select min(approved_on) from projects) as first_approved_on,
        (select max(exported_on) from export_manifests) as exported_on

),

months as (

    select
        cast(
            unnest(
                generate_series(
                    cast(date_trunc('month', first_approved_on) as timestamp),
                    cast(date_trunc('month', exported_on) as timestamp),
                    interval 1 month
                )
            ) as date
        ) as month_start_on,
        exported_on
    from bounds

),

final as (

    select
        least(last_day(month_start_on), exported_on) as as_of_date,
        last_day(month_start_on) <= exported_on as is_month_end
    from months

)

select * from final
