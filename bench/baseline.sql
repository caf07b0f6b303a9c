-- The baseline: plain DuckDB, one process, hand-written SQL. It reads the export's CSV
-- files with DuckDB's own reader, keeps them as typed tables and computes the four marts
-- of dbt_project/models/marts with the same definitions, into one database file. It
-- validates nothing, quarantines nothing, audits nothing and tests nothing: it is the
-- physical floor of "CSV files in, the warehouse's tables out" on this machine.
--
-- {export} is replaced by the export's folder (bench/baseline.py). Every column is named
-- and typed as the contract declares it, so the reader does not sniff types.

SET preserve_insertion_order = false;

CREATE SCHEMA raw;
CREATE SCHEMA marts;

-- raw: typed as the contract types them (amount DECIMAL(18,2), integer BIGINT, date DATE)

CREATE TABLE raw.programme AS
SELECT * FROM read_csv('{export}/programme.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'programme_id': 'VARCHAR', 'programme_name': 'VARCHAR', 'period': 'VARCHAR',
               'erdf_budget_eur': 'DECIMAL(18,2)', 'nuts_version': 'BIGINT'});

CREATE TABLE raw.eligible_regions AS
SELECT * FROM read_csv('{export}/eligible_regions.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'nuts2_code': 'VARCHAR', 'country_code': 'VARCHAR', 'region_name': 'VARCHAR'});

CREATE TABLE raw.projects AS
SELECT * FROM read_csv('{export}/projects.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'project_id': 'VARCHAR', 'acronym': 'VARCHAR', 'title': 'VARCHAR',
               'priority_axis': 'BIGINT', 'call_no': 'BIGINT', 'status': 'VARCHAR',
               'approved_on': 'DATE', 'start_date': 'DATE', 'end_date': 'DATE',
               'total_budget_eur': 'DECIMAL(18,2)', 'erdf_eur': 'DECIMAL(18,2)',
               'website': 'VARCHAR'});

CREATE TABLE raw.partners AS
SELECT * FROM read_csv('{export}/partners.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'partner_id': 'VARCHAR', 'project_id': 'VARCHAR',
               'organisation_name': 'VARCHAR', 'organisation_name_en': 'VARCHAR',
               'role': 'VARCHAR', 'legal_status': 'VARCHAR', 'country_code': 'VARCHAR',
               'nuts2_code': 'VARCHAR', 'town': 'VARCHAR', 'postcode': 'VARCHAR',
               'budget_eur': 'DECIMAL(18,2)', 'erdf_eur': 'DECIMAL(18,2)'});

CREATE TABLE raw.progress_reports AS
SELECT * FROM read_csv('{export}/progress_reports.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'report_id': 'VARCHAR', 'project_id': 'VARCHAR', 'period_no': 'BIGINT',
               'period_start': 'DATE', 'period_end': 'DATE', 'version': 'BIGINT',
               'status': 'VARCHAR', 'submitted_on': 'DATE', 'approved_on': 'DATE'});

CREATE TABLE raw.indicators AS
SELECT * FROM read_csv('{export}/indicators.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'indicator_code': 'VARCHAR', 'name': 'VARCHAR', 'unit': 'VARCHAR',
               'kind': 'VARCHAR'});

CREATE TABLE raw.indicator_values AS
SELECT * FROM read_csv('{export}/indicator_values.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'report_id': 'VARCHAR', 'indicator_code': 'VARCHAR', 'value': 'BIGINT'});

CREATE TABLE raw.policy_instruments AS
SELECT * FROM read_csv('{export}/policy_instruments.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'instrument_id': 'VARCHAR', 'project_id': 'VARCHAR', 'partner_id': 'VARCHAR',
               'name': 'VARCHAR', 'instrument_type': 'VARCHAR', 'nuts2_code': 'VARCHAR',
               'managing_authority': 'VARCHAR'});

CREATE TABLE raw.policy_changes AS
SELECT * FROM read_csv('{export}/policy_changes.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'change_id': 'VARCHAR', 'instrument_id': 'VARCHAR', 'project_id': 'VARCHAR',
               'report_id': 'VARCHAR', 'change_type': 'VARCHAR', 'description': 'VARCHAR',
               'sf_influenced_eur': 'DECIMAL(18,2)', 'other_influenced_eur': 'DECIMAL(18,2)',
               'status': 'VARCHAR', 'validated_on': 'DATE'});

CREATE TABLE raw.good_practices AS
SELECT * FROM read_csv('{export}/good_practices.csv', header = true, auto_detect = false,
    delim = ',', quote = '"', escape = '"', strict_mode = true,
    columns = {'good_practice_id': 'VARCHAR', 'project_id': 'VARCHAR',
               'partner_id': 'VARCHAR', 'title': 'VARCHAR', 'country_code': 'VARCHAR',
               'submitted_on': 'DATE', 'status': 'VARCHAR', 'validated_on': 'DATE'});

-- marts.projects: one row per project that is not withdrawn, with its partnership.

CREATE TABLE marts.projects AS
WITH active AS (
    SELECT * FROM raw.projects WHERE status <> 'withdrawn'
),
partnerships AS (
    SELECT
        partners.project_id,
        count(*) AS partners,
        count(DISTINCT partners.country_code) AS countries,
        min(partners.organisation_name) FILTER (WHERE partners.role = 'lead')
            AS lead_partner_name
    FROM raw.partners AS partners
    JOIN active USING (project_id)
    GROUP BY partners.project_id
)
SELECT
    active.project_id,
    active.acronym,
    active.title,
    CAST(active.priority_axis AS INTEGER) AS priority_axis,
    CAST(active.call_no AS INTEGER) AS call_no,
    active.status,
    active.start_date,
    active.end_date,
    active.total_budget_eur,
    active.erdf_eur,
    coalesce(partnerships.partners, 0) AS partners,
    coalesce(partnerships.countries, 0) AS countries,
    partnerships.lead_partner_name
FROM active
LEFT JOIN partnerships USING (project_id);

-- marts.policy_changes: validated changes of active projects, with instrument and partner.

CREATE TABLE marts.policy_changes AS
SELECT
    changes.change_id,
    changes.project_id,
    projects.acronym AS project_acronym,
    instruments.partner_id,
    partners.organisation_name,
    partners.country_code,
    instruments.nuts2_code,
    changes.instrument_id,
    instruments.name AS instrument_name,
    instruments.instrument_type,
    instruments.instrument_type IN ('growth_and_jobs', 'etc') AS is_structural_funds,
    changes.change_type,
    changes.description,
    changes.sf_influenced_eur,
    changes.other_influenced_eur,
    CAST(changes.sf_influenced_eur + changes.other_influenced_eur AS DECIMAL(18, 2))
        AS total_influenced_eur,
    changes.validated_on
FROM raw.policy_changes AS changes
JOIN raw.projects AS projects
    ON changes.project_id = projects.project_id AND projects.status <> 'withdrawn'
JOIN raw.policy_instruments AS instruments ON changes.instrument_id = instruments.instrument_id
JOIN raw.partners AS partners ON instruments.partner_id = partners.partner_id
WHERE changes.status = 'validated';

-- marts.regional_coverage: every eligible region and every region of an active partner.

CREATE TABLE marts.regional_coverage AS
WITH partner_regions AS (
    SELECT
        partners.nuts2_code,
        count(*) AS partners,
        count(DISTINCT partners.project_id) AS projects,
        count(*) FILTER (WHERE partners.role = 'lead') AS lead_partners
    FROM raw.partners AS partners
    JOIN raw.projects AS projects
        ON partners.project_id = projects.project_id AND projects.status <> 'withdrawn'
    WHERE partners.nuts2_code IS NOT NULL
    GROUP BY partners.nuts2_code
),
change_regions AS (
    SELECT nuts2_code, count(*) AS policy_changes
    FROM marts.policy_changes
    WHERE nuts2_code IS NOT NULL
    GROUP BY nuts2_code
),
regions AS (
    SELECT nuts2_code FROM raw.eligible_regions
    UNION
    SELECT nuts2_code FROM partner_regions
)
SELECT
    regions.nuts2_code,
    coalesce(eligible.country_code, left(regions.nuts2_code, 2)) AS country_code,
    eligible.region_name,
    eligible.nuts2_code IS NOT NULL AS is_eligible,
    coalesce(partner_regions.partners, 0) AS partners,
    coalesce(partner_regions.projects, 0) AS projects,
    coalesce(partner_regions.lead_partners, 0) AS lead_partners,
    coalesce(change_regions.policy_changes, 0) AS policy_changes
FROM regions
LEFT JOIN raw.eligible_regions AS eligible ON regions.nuts2_code = eligible.nuts2_code
LEFT JOIN partner_regions ON regions.nuts2_code = partner_regions.nuts2_code
LEFT JOIN change_regions ON regions.nuts2_code = change_regions.nuts2_code;

-- marts.headline_results: every figure as of every month end (the export's date last).
-- A figure as of D sums the contributions valid on D: valid_from <= D < valid_to.
-- The as-of dates are few (about 100); the sums are computed per date of change and
-- accumulated, rather than by a range join of every contribution with every date.

CREATE TABLE marts.headline_results AS
WITH active AS (
    SELECT project_id, approved_on FROM raw.projects WHERE status <> 'withdrawn'
),
bounds AS (
    SELECT
        (SELECT min(approved_on) FROM raw.projects) AS first_approved_on,
        DATE '{exported_on}' AS exported_on
),
as_of_dates AS (
    SELECT least(last_day(CAST(month_start AS DATE)), exported_on) AS as_of_date
    FROM bounds,
        unnest(generate_series(
            CAST(date_trunc('month', first_approved_on) AS TIMESTAMP),
            CAST(date_trunc('month', exported_on) AS TIMESTAMP),
            INTERVAL 1 MONTH)) AS months (month_start)
),
effective_reports AS (
    -- An approved version is effective from its approval until a higher version of the
    -- same (project, period) is approved; never, if one was approved on or before it.
    SELECT report_id, valid_from, valid_to
    FROM (
        SELECT
            reports.report_id,
            reports.approved_on AS valid_from,
            min(reports.approved_on) OVER (
                PARTITION BY reports.project_id, reports.period_no
                ORDER BY reports.version DESC
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) AS valid_to
        FROM raw.progress_reports AS reports
        JOIN active USING (project_id)
        WHERE reports.status = 'approved'
    )
    WHERE valid_to IS NULL OR valid_to > valid_from
),
changes AS (
    SELECT
        changes.validated_on,
        instruments.instrument_type IN ('growth_and_jobs', 'etc') AS is_sf,
        changes.sf_influenced_eur,
        changes.sf_influenced_eur + changes.other_influenced_eur AS total_eur
    FROM raw.policy_changes AS changes
    JOIN active USING (project_id)
    JOIN raw.policy_instruments AS instruments USING (instrument_id)
    JOIN raw.partners AS partners ON instruments.partner_id = partners.partner_id
    WHERE changes.status = 'validated'
),
-- One row per (date, figure): +value from valid_from, -value from valid_to.
deltas AS (
    SELECT approved_on AS on_date, 1 AS projects,
        0 AS o1, 0 AS o2, 0 AS o3, 0 AS o4, 0 AS gp_validated,
        0 AS changes, 0 AS changes_sf, 0::DECIMAL(18, 2) AS impact,
        0::DECIMAL(18, 2) AS impact_sf, 0 AS regions
    FROM active
    UNION ALL
    SELECT edge.on_date, 0,
        edge.sign * sum(values.value) FILTER (WHERE values.indicator_code = 'O1'),
        edge.sign * sum(values.value) FILTER (WHERE values.indicator_code = 'O2'),
        edge.sign * sum(values.value) FILTER (WHERE values.indicator_code = 'O3'),
        edge.sign * sum(values.value) FILTER (WHERE values.indicator_code = 'O4'),
        0, 0, 0, 0, 0, 0
    FROM effective_reports AS reports
    JOIN raw.indicator_values AS values USING (report_id)
    CROSS JOIN LATERAL (
        SELECT reports.valid_from AS on_date, 1 AS sign
        UNION ALL
        SELECT reports.valid_to, -1 WHERE reports.valid_to IS NOT NULL
    ) AS edge
    WHERE values.indicator_code IN ('O1', 'O2', 'O3', 'O4')
    GROUP BY edge.on_date, edge.sign
    UNION ALL
    SELECT practices.validated_on, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0
    FROM raw.good_practices AS practices
    JOIN active USING (project_id)
    WHERE practices.status = 'validated'
    UNION ALL
    SELECT validated_on, 0, 0, 0, 0, 0, 0, 1, CAST(is_sf AS INTEGER), total_eur,
        sf_influenced_eur, 0
    FROM changes
    UNION ALL
    -- An eligible region is involved from the first approval of an active project with a
    -- partner in it.
    SELECT min(active.approved_on), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    FROM raw.eligible_regions AS eligible
    JOIN raw.partners AS partners ON eligible.nuts2_code = partners.nuts2_code
    JOIN active ON partners.project_id = active.project_id
    GROUP BY eligible.nuts2_code
),
per_date AS (
    SELECT on_date,
        sum(projects) AS projects, sum(o1) AS o1, sum(o2) AS o2, sum(o3) AS o3,
        sum(o4) AS o4, sum(gp_validated) AS gp_validated, sum(changes) AS changes,
        sum(changes_sf) AS changes_sf, sum(impact) AS impact, sum(impact_sf) AS impact_sf,
        sum(regions) AS regions
    FROM deltas
    GROUP BY on_date
),
-- Each as-of date takes the changes dated after the previous as-of date, up to its own.
binned AS (
    SELECT
        (SELECT min(as_of_date) FROM as_of_dates WHERE as_of_date >= per_date.on_date)
            AS as_of_date,
        per_date.*
    FROM per_date
),
per_as_of AS (
    SELECT as_of_dates.as_of_date,
        coalesce(sum(projects), 0) AS projects, coalesce(sum(o1), 0) AS o1,
        coalesce(sum(o2), 0) AS o2, coalesce(sum(o3), 0) AS o3, coalesce(sum(o4), 0) AS o4,
        coalesce(sum(gp_validated), 0) AS gp_validated,
        coalesce(sum(changes), 0) AS changes, coalesce(sum(changes_sf), 0) AS changes_sf,
        coalesce(sum(impact), 0) AS impact, coalesce(sum(impact_sf), 0) AS impact_sf,
        coalesce(sum(regions), 0) AS regions
    FROM as_of_dates
    LEFT JOIN binned USING (as_of_date)
    GROUP BY as_of_dates.as_of_date
),
running AS (
    SELECT as_of_date,
        sum(projects) OVER w AS projects, sum(o1) OVER w AS o1, sum(o2) OVER w AS o2,
        sum(o3) OVER w AS o3, sum(o4) OVER w AS o4, sum(gp_validated) OVER w AS gp_validated,
        sum(changes) OVER w AS changes, sum(changes_sf) OVER w AS changes_sf,
        sum(impact) OVER w AS impact, sum(impact_sf) OVER w AS impact_sf,
        sum(regions) OVER w AS regions
    FROM per_as_of
    WINDOW w AS (ORDER BY as_of_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
programme AS (
    SELECT
        (SELECT erdf_budget_eur FROM raw.programme) AS programme_budget_eur,
        (SELECT count(*) FROM raw.eligible_regions) AS eligible
)
SELECT
    running.as_of_date,
    CAST(running.projects AS BIGINT) AS projects,
    CAST(running.o1 AS BIGINT) AS policy_learning_events,
    CAST(running.o2 AS BIGINT) AS good_practices_identified,
    CAST(running.gp_validated AS BIGINT) AS good_practices_validated,
    CAST(running.o3 AS BIGINT) AS people_with_increased_capacity,
    CAST(running.o4 AS BIGINT) AS action_plans,
    CAST(running.changes AS BIGINT) AS policy_instruments_influenced,
    CAST(running.changes_sf AS BIGINT) AS policy_instruments_influenced_sf,
    CAST(running.impact AS DECIMAL(18, 2)) AS financial_impact_eur,
    CAST(running.impact_sf AS DECIMAL(18, 2)) AS financial_impact_sf_eur,
    CAST(programme.programme_budget_eur AS DECIMAL(18, 2)) AS programme_budget_eur,
    CAST(running.regions AS BIGINT) AS nuts2_regions_involved,
    CAST(programme.eligible AS BIGINT) AS nuts2_regions_eligible,
    -- 100 * involved / eligible, rounded half up to one decimal, in integer arithmetic.
    CAST(
        CAST((2 * 1000 * CAST(running.regions AS BIGINT) + programme.eligible)
            // nullif(2 * programme.eligible, 0) AS DECIMAL(18, 0))
        * CAST('0.1' AS DECIMAL(2, 1))
        AS DECIMAL(4, 1)
    ) AS nuts2_coverage_pct
FROM running
CROSS JOIN programme;

CHECKPOINT;
