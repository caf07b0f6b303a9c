-- The keep.eu projects of the programme the monitoring export is about (Interreg Europe
-- 2014-2020 for the bundled sample): the same programme name once periods, case,
-- accents, spacing and punctuation are set aside ("Interreg Europe 2014-2020" =
-- "2014 - 2020 INTERREG EUROPE" = "Interreg Europe"), and the same period where keep.eu
-- gives one. acronym_key is the acronym the same way: "CLUST-REG" = "Clust Reg"
-- (int_keep_project_matches writes the monitoring side's alike).
with

programme as (

    select
        regexp_replace(
            lower(strip_accents(
                regexp_replace(programme_name, '(19|20)[0-9]{2}\s*-\s*(19|20)[0-9]{2}', '', 'g')
            )),
            '[^\p{L}\p{N}]',
            '',
            'g'
        ) as programme_key,
        regexp_replace(programme_period, '\s+', '', 'g') as period
    from {{ ref('stg_monitoring__programmes') }}

),

keep as (

    select
        *,
        regexp_replace(
            lower(strip_accents(
                regexp_replace(programme, '(19|20)[0-9]{2}\s*-\s*(19|20)[0-9]{2}', '', 'g')
            )),
            '[^\p{L}\p{N}]',
            '',
            'g'
        ) as programme_key,
        regexp_replace(lower(strip_accents(acronym)), '[^\p{L}\p{N}]', '', 'g') as acronym_key
    from {{ ref('int_keep_projects_merged') }}

),

final as (

    select keep.* exclude (programme_key)
    from keep
    inner join programme
        on keep.programme_key = programme.programme_key
        and (keep.period is null or keep.period = programme.period)

)

select * from final
