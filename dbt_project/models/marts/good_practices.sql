-- One row per good practice of a non-withdrawn project, whatever its status, as it stood on
-- the export's date E: one submitted (or validated) by E is listed; one validated after E
-- is still `submitted` there, without a validated_on. With the partner that identified it.
-- country_code is the good practice's own (good_practices.csv); nuts2_code is its
-- partner's region.
with

good_practices as (

    select
        *,
        {{ reached_by_export('status', 'validated', 'validated_on') }} as is_validated_by_export
    from {{ ref('stg_monitoring__good_practices') }}

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

eligible_regions as (

    select * from {{ ref('stg_monitoring__eligible_regions') }}

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
        eligible_regions.region_name,
        good_practices.title,
        {{ status_by_export(
            'good_practices.status', 'validated', 'good_practices.validated_on'
        ) }} as status,
        good_practices.submitted_on,
        case
            when good_practices.is_validated_by_export then good_practices.validated_on
        end as validated_on
    from good_practices
    inner join projects
        on good_practices.project_id = projects.project_id
    left join partners
        on good_practices.partner_id = partners.partner_id
    left join country_names
        on good_practices.country_code = country_names.country_code
    left join eligible_regions
        on partners.nuts2_code = eligible_regions.nuts2_code
    where good_practices.submitted_on <= {{ export_date() }}
        or good_practices.is_validated_by_export

)

select * from final
