-- Validated policy changes of active projects, with their instrument, the instrument's
-- responsible partner and the project. The base of the policy_changes mart, the
-- regional coverage and the policy-change headline figures.
--
-- nuts2_code is the instrument's territory (null for a national instrument). It does not
-- fall back to the responsible partner's region: a national policy is not a regional one.
with

policy_changes as (

    select * from {{ ref('stg_monitoring__policy_changes') }}

),

policy_instruments as (

    select * from {{ ref('stg_monitoring__policy_instruments') }}

),

partners as (

    select * from {{ ref('stg_monitoring__partners') }}

),

projects as (

    select * from {{ ref('int_projects_active') }}

),

final as (

    select
        policy_changes.change_id,
        policy_changes.project_id,
        projects.acronym as project_acronym,
        policy_instruments.partner_id,
        partners.organisation_name,
        partners.country_code,
        policy_instruments.nuts2_code,
        partners.nuts2_code as partner_nuts2_code,
        policy_changes.instrument_id,
        policy_instruments.instrument_name,
        policy_instruments.instrument_type,
        policy_instruments.instrument_type in ('growth_and_jobs', 'etc') as is_structural_funds,
        policy_changes.report_id,
        policy_changes.change_type,
        policy_changes.description,
        policy_changes.sf_influenced_eur,
        policy_changes.other_influenced_eur,
        cast(
            policy_changes.sf_influenced_eur + policy_changes.other_influenced_eur
            as decimal(18, 2)
        ) as total_influenced_eur,
        policy_changes.validated_on
    from policy_changes
    inner join projects
        on policy_changes.project_id = projects.project_id
    inner join policy_instruments
        on policy_changes.instrument_id = policy_instruments.instrument_id
    inner join partners
        on policy_instruments.partner_id = partners.partner_id
    where policy_changes.status = 'validated'

)

select * from final
