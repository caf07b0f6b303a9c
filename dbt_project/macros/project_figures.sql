{#-
    The headline figures that belong to a project, in the order the marts show them: those
    that add up over projects (project_results, projects and the test that ties them to
    headline_results). Amounts end in _eur.
-#}
{% macro project_figures() %}
    {{ return([
        'policy_learning_events',
        'good_practices_identified',
        'people_with_increased_capacity',
        'action_plans',
        'good_practices_validated',
        'policy_instruments_influenced',
        'policy_instruments_influenced_sf',
        'financial_impact_eur',
        'financial_impact_sf_eur',
    ]) }}
{% endmacro %}
