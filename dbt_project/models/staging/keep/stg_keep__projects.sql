{#-
    raw_keep.projects renamed and cast.
-#}
{%- set raw = source('keep', 'projects') -%}
{%- set columns = [
    ('source_file', 'varchar', 'source_file'),
    ('source_order', 'integer', 'source_order'),
    ('source_sheet', 'varchar', 'source_sheet'),
    ('source_row_number', 'bigint', 'source_row_number'),
    ('source_line', 'bigint', 'source_line'),
    ('layout', 'varchar', 'layout'),
    ('period', 'varchar', 'period'),
    ('programme', 'varchar', 'programme'),
    ('project_id', 'varchar', 'keep_project_id'),
    ('acronym', 'varchar', 'acronym'),
    ('project_name', 'varchar', 'project_name'),
    ('project_name_2', 'varchar', 'project_name_2'),
    ('project_name_3', 'varchar', 'project_name_3'),
    ('project_name_4', 'varchar', 'project_name_4'),
    ('description', 'varchar', 'description'),
    ('description_other', 'varchar', 'description_other'),
    ('expected_achievements', 'varchar', 'expected_achievements'),
    ('actual_achievements', 'varchar', 'actual_achievements'),
    ('start_date', 'date', 'start_date'),
    ('end_date', 'date', 'end_date'),
    ('total_budget_eur', 'decimal(18, 2)', 'total_budget_eur'),
    ('eu_funding_eur', 'decimal(18, 2)', 'eu_funding_eur'),
    ('erdf_budget_eur', 'decimal(18, 2)', 'erdf_budget_eur'),
    ('co_financing_rate', 'varchar', 'co_financing_rate'),
    ('website', 'varchar', 'website'),
    ('theme_1', 'varchar', 'theme_1'),
    ('theme_2', 'varchar', 'theme_2'),
    ('theme_3', 'varchar', 'theme_3'),
    ('lead_partner_name', 'varchar', 'lead_partner_name'),
    ('call', 'varchar', 'call_reference'),
] -%}
{{ renamed_and_cast(raw, columns) }}
