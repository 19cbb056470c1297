{#- kpi_agent_quarterly: see the kpi_agent_rollup macro (dbt/macros/kpi.sql) and this model's YAML. -#}
{{ kpi_agent_rollup('quarter') }}
