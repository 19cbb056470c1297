{#- kpi_service_monthly: see the kpi_service_rollup macro (dbt/macros/kpi.sql) and this model's YAML. -#}
{{ kpi_service_rollup('month') }}
