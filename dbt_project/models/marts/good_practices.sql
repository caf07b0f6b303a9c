-- One row per good practice of a non-withdrawn project, whatever its status, with the
-- partner that identified it. country_code is the good practice's own (good_practices.csv);
-- nuts2_code is its partner's region.
with

good_practices as (

    select * from {{ ref('stg_monitoring__good_practices') }}

),

projects as (

    select * from {{ ref('int_projects_active') }}

),

partners as (

    select * from {{ ref('int_partners_active') }}

),

country_names as (

    select * from {{ ref('country_names') }}

),

final as (

    select
        good_practices.good_practice_id,
        good_practices.project_id,
        projects.acronym as project_acronym,
        good_practices.partner_id,
        partners.organisation_name,
        good_practices.country_code,
        country_names.country_name,
        partners.nuts2_code,
        good_practices.title,
        good_practices.status,
        good_practices.submitted_on,
        good_practices.validated_on
    from good_practices
    inner join projects
        on good_practices.project_id = projects.project_id
    left join partners
        on good_practices.partner_id = partners.partner_id
    left join country_names
        on good_practices.country_code = country_names.country_code

)

select * from final
