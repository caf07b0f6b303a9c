{#-
    raw_keep.partners renamed and cast.
-#}
{%- set raw = source('keep', 'partners') -%}
{%- set columns = [
    ('source_file', 'varchar', 'source_file'),
    ('source_order', 'integer', 'source_order'),
    ('source_sheet', 'varchar', 'source_sheet'),
    ('source_row_number', 'bigint', 'source_row_number'),
    ('source_line', 'bigint', 'source_line'),
    ('layout', 'varchar', 'layout'),
    ('programme', 'varchar', 'programme'),
    ('project_id', 'varchar', 'keep_project_id'),
    ('acronym', 'varchar', 'acronym'),
    ('organisation_name', 'varchar', 'organisation_name'),
    ('organisation_name_2', 'varchar', 'organisation_name_2'),
    ('lead_partner', 'varchar', 'lead_partner'),
    ('country_code', 'varchar', 'country_code'),
    ('country_name', 'varchar', 'country_name'),
    ('nuts1_code', 'varchar', 'nuts1_code'),
    ('nuts1_name', 'varchar', 'nuts1_name'),
    ('nuts2_code', 'varchar', 'nuts2_code'),
    ('nuts2_name', 'varchar', 'nuts2_name'),
    ('nuts3_code', 'varchar', 'nuts3_code'),
    ('nuts3_name', 'varchar', 'nuts3_name'),
    ('organisation_type', 'varchar', 'organisation_type'),
    ('department', 'varchar', 'department'),
    ('pic', 'varchar', 'pic'),
    ('other_partner_id', 'varchar', 'other_partner_id'),
    ('postal_code', 'varchar', 'postal_code'),
    ('town', 'varchar', 'town'),
    ('website', 'varchar', 'website'),
    ('budget_eur', 'decimal(18, 2)', 'budget_eur'),
    ('erdf_eur', 'decimal(18, 2)', 'erdf_eur'),
    ('programme_cofinancing_eur', 'decimal(18, 2)', 'programme_cofinancing_eur'),
] -%}
{{ renamed_and_cast(raw, columns, computed=["cast(lead_partner = 'Yes' as boolean) as is_lead_partner"]) }}
