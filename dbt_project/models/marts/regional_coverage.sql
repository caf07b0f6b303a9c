-- One row per NUTS-2 code that is eligible (in the programme area) or is the nuts2_code
-- of a partner of a non-withdrawn project. Counts are as of the export.
with

eligible_regions as (

    select * from {{ ref('stg_monitoring__eligible_regions') }}

),

partners as (

    select * from {{ ref('int_partners_active') }}

),

policy_changes as (

    select * from {{ ref('int_policy_changes_validated') }}

),

country_names as (

    select * from {{ ref('country_names') }}

),

partner_regions as (

    select
        nuts2_code,
        count(*) as partners,
        count(distinct project_id) as projects,
        count(*) filter (where is_lead_partner) as lead_partners
    from partners
    where nuts2_code is not null
    group by nuts2_code

),

policy_change_regions as (

    -- A change belongs to its instrument's territory; national instruments (null) to none.
    select
        nuts2_code,
        count(*) as policy_changes
    from policy_changes
    where nuts2_code is not null
    group by nuts2_code

),

regions as (

    select nuts2_code from eligible_regions
    union
    select nuts2_code from partner_regions

),

final as (

    select
        regions.nuts2_code,
        -- NUTS codes start with the country's code (EU usage: EL, UK).
        coalesce(eligible_regions.country_code, left(regions.nuts2_code, 2)) as country_code,
        country_names.country_name,
        eligible_regions.region_name,
        eligible_regions.nuts2_code is not null as is_eligible,
        coalesce(partner_regions.partners, 0) as partners,
        coalesce(partner_regions.projects, 0) as projects,
        coalesce(partner_regions.lead_partners, 0) as lead_partners,
        coalesce(policy_change_regions.policy_changes, 0) as policy_changes
    from regions
    left join eligible_regions
        on regions.nuts2_code = eligible_regions.nuts2_code
    left join partner_regions
        on regions.nuts2_code = partner_regions.nuts2_code
    left join policy_change_regions
        on regions.nuts2_code = policy_change_regions.nuts2_code
    left join country_names
        on coalesce(eligible_regions.country_code, left(regions.nuts2_code, 2))
            = country_names.country_code

)

select * from final
