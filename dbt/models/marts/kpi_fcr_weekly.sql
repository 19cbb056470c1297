{#- kpi_fcr_weekly: see the kpi_fcr_rollup macro (dbt/macros/kpi.sql) and this model's YAML. -#}
{{ kpi_fcr_rollup('week') }}
