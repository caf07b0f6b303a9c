-- The baseline's read of the monitoring export: plain DuckDB, one process. It reads the
-- export's CSV files with DuckDB's own reader into typed tables named as the pipeline's
-- (raw_monitoring.<file>, with `_row_number`, 1 = the first record), so the dbt project's
-- compiled SQL (bench/plan.py) runs on them unchanged. It validates nothing, quarantines
-- nothing and audits nothing: the physical floor of "CSV files in, typed tables out".
--
-- {export} is replaced by the export's folder (bench/baseline.py). Every column is named
-- and typed as the contract declares it, so the reader does not sniff types.

CREATE SCHEMA IF NOT EXISTS raw_monitoring;

-- raw: typed as the contract types them (amount DECIMAL(18,2), integer BIGINT, date DATE)

CREATE TABLE raw_monitoring.programme AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/programme.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'programme_id': 'VARCHAR', 'programme_name': 'VARCHAR', 'period': 'VARCHAR',
               'erdf_budget_eur': 'DECIMAL(18,2)', 'nuts_version': 'BIGINT'});

CREATE TABLE raw_monitoring.eligible_regions AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/eligible_regions.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'nuts2_code': 'VARCHAR', 'country_code': 'VARCHAR', 'region_name': 'VARCHAR'});

CREATE TABLE raw_monitoring.projects AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/projects.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'project_id': 'VARCHAR', 'acronym': 'VARCHAR', 'title': 'VARCHAR',
               'priority_axis': 'BIGINT', 'call_no': 'BIGINT', 'status': 'VARCHAR',
               'approved_on': 'DATE', 'start_date': 'DATE', 'end_date': 'DATE',
               'total_budget_eur': 'DECIMAL(18,2)', 'erdf_eur': 'DECIMAL(18,2)',
               'website': 'VARCHAR'});

CREATE TABLE raw_monitoring.partners AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/partners.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'partner_id': 'VARCHAR', 'project_id': 'VARCHAR',
               'organisation_name': 'VARCHAR', 'organisation_name_en': 'VARCHAR',
               'role': 'VARCHAR', 'legal_status': 'VARCHAR', 'country_code': 'VARCHAR',
               'nuts2_code': 'VARCHAR', 'town': 'VARCHAR', 'postcode': 'VARCHAR',
               'budget_eur': 'DECIMAL(18,2)', 'erdf_eur': 'DECIMAL(18,2)'});

CREATE TABLE raw_monitoring.progress_reports AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/progress_reports.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'report_id': 'VARCHAR', 'project_id': 'VARCHAR', 'period_no': 'BIGINT',
               'period_start': 'DATE', 'period_end': 'DATE', 'version': 'BIGINT',
               'status': 'VARCHAR', 'submitted_on': 'DATE', 'approved_on': 'DATE'});

CREATE TABLE raw_monitoring.indicators AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/indicators.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'indicator_code': 'VARCHAR', 'name': 'VARCHAR', 'unit': 'VARCHAR',
               'kind': 'VARCHAR'});

CREATE TABLE raw_monitoring.indicator_values AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/indicator_values.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'report_id': 'VARCHAR', 'indicator_code': 'VARCHAR', 'value': 'BIGINT'});

CREATE TABLE raw_monitoring.policy_instruments AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/policy_instruments.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'instrument_id': 'VARCHAR', 'project_id': 'VARCHAR', 'partner_id': 'VARCHAR',
               'name': 'VARCHAR', 'instrument_type': 'VARCHAR', 'nuts2_code': 'VARCHAR',
               'managing_authority': 'VARCHAR'});

CREATE TABLE raw_monitoring.policy_changes AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/policy_changes.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'change_id': 'VARCHAR', 'instrument_id': 'VARCHAR', 'project_id': 'VARCHAR',
               'report_id': 'VARCHAR', 'change_type': 'VARCHAR', 'description': 'VARCHAR',
               'sf_influenced_eur': 'DECIMAL(18,2)', 'other_influenced_eur': 'DECIMAL(18,2)',
               'status': 'VARCHAR', 'validated_on': 'DATE'});

CREATE TABLE raw_monitoring.good_practices AS
SELECT row_number() OVER () AS _row_number, * FROM read_csv('{export}/good_practices.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'good_practice_id': 'VARCHAR', 'project_id': 'VARCHAR',
               'partner_id': 'VARCHAR', 'title': 'VARCHAR', 'country_code': 'VARCHAR',
               'submitted_on': 'DATE', 'status': 'VARCHAR', 'validated_on': 'DATE'});
