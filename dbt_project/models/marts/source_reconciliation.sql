-- The programme's projects in the monitoring export and in keep.eu, side by side: one row
-- per active monitoring project and one per keep.eu project of the programme that no
-- monitoring project matched (int_keep_project_matches). Differences are keep.eu minus
-- monitoring. Budgets differ when they are more than a cent apart, partner counts when
-- they are more than one partner apart (keep.eu may list an associated partner, or miss
-- one); the flags are null where a side or a figure is missing.
with

matches as (

    select * from {{ ref('int_keep_project_matches') }}

),

monitoring as (

    select * from {{ ref('projects') }}

),

keep as (

    select * from {{ ref('int_keep_projects_merged') }}

),

keep_partners as (

    select
        keep_project_key,
        count(*) as partners
    from {{ ref('int_keep_partners_assigned') }}
    group by keep_project_key

),

compared as (

    select
        matches.project_id,
        coalesce(monitoring.acronym, keep.acronym) as acronym,
        keep.acronym as keep_acronym,
        matches.presence,
        monitoring.total_budget_eur as monitoring_total_budget_eur,
        keep.total_budget_eur as keep_total_budget_eur,
        monitoring.erdf_eur as monitoring_erdf_eur,
        keep.eu_funding_eur as keep_eu_funding_eur,
        monitoring.partners as monitoring_partners,
        case
            when keep.keep_project_key is not null then coalesce(keep_partners.partners, 0)
        end as keep_partners
    from matches
    left join monitoring
        on matches.project_id = monitoring.project_id
    left join keep
        on matches.keep_project_key = keep.keep_project_key
    left join keep_partners
        on matches.keep_project_key = keep_partners.keep_project_key

),

final as (

    select
        project_id,
        acronym,
        keep_acronym,
        presence,
        monitoring_total_budget_eur,
        keep_total_budget_eur,
        cast(keep_total_budget_eur - monitoring_total_budget_eur as decimal(18, 2))
            as total_budget_difference_eur,
        monitoring_erdf_eur,
        keep_eu_funding_eur,
        cast(keep_eu_funding_eur - monitoring_erdf_eur as decimal(18, 2))
            as eu_funding_difference_eur,
        monitoring_partners,
        keep_partners,
        keep_partners - monitoring_partners as partners_difference,
        abs(keep_total_budget_eur - monitoring_total_budget_eur) > 0.01
            as has_total_budget_difference,
        abs(keep_eu_funding_eur - monitoring_erdf_eur) > 0.01 as has_eu_funding_difference,
        abs(keep_partners - monitoring_partners) > 1 as has_partner_count_difference
    from compared

)

select * from final
