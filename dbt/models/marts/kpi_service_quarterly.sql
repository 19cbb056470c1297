{#- kpi_service_quarterly: see the kpi_service_rollup macro (dbt/macros/kpi.sql) and this model's YAML. -#}
{{ kpi_service_rollup('quarter') }}
