-- One row per keep.eu project: (programme, period, acronym), with keep_project_key naming
-- it. A project listed on several rows (one per lead partner, as legacy exports do) is
-- one project; where several inputs hold it, the first input wins (INTERREG_KEEP_FILES
-- order). The period is the file's Period, else the one written in the programme's name
-- ("2014 - 2020 INTERREG VB Central Europe"), spaces removed: "2014-2020".
with

projects as (

    select * from {{ ref('stg_keep__projects') }}

),

periods as (

    select
        *,
        coalesce(
            nullif(regexp_replace(period, '\s+', '', 'g'), ''),
            nullif(
                regexp_replace(
                    regexp_extract(programme, '(19|20)[0-9]{2}\s*-\s*(19|20)[0-9]{2}'),
                    '\s+',
                    '',
                    'g'
                ),
                ''
            )
        ) as project_period
    from projects

),

keyed as (

    select
        *,
        -- JSON: readable, and no separator inside a name can make two keys collide.
        cast(to_json(list_value(programme, project_period, acronym)) as varchar)
            as keep_project_key
    from periods

),

first_input as (

    select
        *,
        min(source_order) over (partition by keep_project_key) as first_order
    from keyed

),

kept_rows as (

    select * from first_input
    where source_order = first_order

),

lead_partners as (

    select
        keep_project_key,
        lead_partner_name,
        min(source_row_number) as first_row
    from kept_rows
    where lead_partner_name is not null
    group by keep_project_key, lead_partner_name

),

lead_names as (

    select
        keep_project_key,
        string_agg(lead_partner_name, '; ' order by first_row) as lead_partner_name
    from lead_partners
    group by keep_project_key

),

first_rows as (

    -- The rows of one project in one input agree on every project column (checked
    -- before loading); the first row speaks for them.
    select * from kept_rows
    qualify row_number() over (
        partition by keep_project_key order by source_row_number
    ) = 1

),

final as (

    select
        first_rows.keep_project_key,
        first_rows.programme,
        first_rows.project_period as period,
        first_rows.acronym,
        first_rows.keep_project_id,
        coalesce(
            first_rows.project_name,
            first_rows.project_name_2,
            first_rows.project_name_3,
            first_rows.project_name_4
        ) as project_name,
        coalesce(first_rows.description, first_rows.description_other) as description,
        first_rows.start_date,
        first_rows.end_date,
        first_rows.total_budget_eur,
        first_rows.eu_funding_eur,
        first_rows.erdf_budget_eur,
        first_rows.theme_1,
        first_rows.theme_2,
        first_rows.theme_3,
        nullif(
            concat_ws('; ', first_rows.theme_1, first_rows.theme_2, first_rows.theme_3), ''
        ) as themes,
        lead_names.lead_partner_name,
        first_rows.website,
        first_rows.layout,
        first_rows.source_file,
        first_rows.source_order
    from first_rows
    left join lead_names
        on first_rows.keep_project_key = lead_names.keep_project_key

)

select * from final
