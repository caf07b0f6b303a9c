{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'partners'}}}) }}
-- Every country code in the marts has an English name in seeds/country_names.csv. A warning,
-- not an error: the contract allows any two-letter code, and a missing name (a null
-- country_name) is no reason to hold back the figures. Add the code to the seed.
{%- set marts = [
    'partners',
    'good_practices',
    'policy_changes',
    'regional_coverage',
    'country_results',
    'keep_partners',
] %}
{%- for mart in marts %}
select distinct '{{ mart }}' as mart, country_code
from {{ ref(mart) }}
where country_code is not null and country_name is null
{{ "union all" if not loop.last }}
{%- endfor %}
