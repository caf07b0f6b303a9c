-- Where the published data comes from and when it was built: one row per source loaded
-- into the build. source_date is the source's own date for its data: the monitoring
-- export's exported_at (UTC), keep.eu's workbook creation time (the latest, where several
-- inputs were loaded; null for CSV files). URLs never carry credentials. The NUTS
-- boundaries of the results page's map are not part of the build: the page names them.
with

loaded_files as (

    select * from {{ ref('stg_audit__loaded_files') }}

),

export_manifests as (

    select * from {{ ref('stg_monitoring__export_manifests') }}

),

sources as (

    select
        source,
        -- The monitoring export is identified by its manifest, which lists every file's hash.
        coalesce(
            max(url) filter (where file_name = 'manifest.json'),
            string_agg(distinct url, ' ' order by url)
        ) as url,
        coalesce(
            max(sha256) filter (where file_name = 'manifest.json'),
            string_agg(distinct sha256, ' ' order by sha256)
        ) as sha256,
        count(distinct file_name) as files,
        sum(rows_loaded) filter (where file_name <> 'manifest.json') as rows_loaded,
        max(exported_at) as exported_at,
        max(loaded_at) as loaded_at,
        max(run_id) as run_id
    from loaded_files
    group by source

),

final as (

    select
        sources.source,
        case sources.source
            when 'monitoring' then 'Project-monitoring export'
            when 'keep' then 'keep.eu export'
            else sources.source
        end as source_name,
        case
            when sources.source = 'monitoring'
                then timezone('UTC', (select max(exported_at) from export_manifests))
            else sources.exported_at
        end as source_date,
        regexp_replace(sources.url, '//[^/@]*@', '//') as url,
        sources.sha256,
        sources.files,
        cast(sources.rows_loaded as bigint) as rows_loaded,
        sources.loaded_at,
        sources.run_id,
        cast(now() as timestamptz) as built_at
    from sources

)

select * from final
