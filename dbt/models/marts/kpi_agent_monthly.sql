{#- kpi_agent_monthly: see the kpi_agent_rollup macro (dbt/macros/kpi.sql) and this model's YAML. -#}
{{ kpi_agent_rollup('month') }}
