{#- kpi_fcr_monthly: see the kpi_fcr_rollup macro (dbt/macros/kpi.sql) and this model's YAML. -#}
{{ kpi_fcr_rollup('month') }}
