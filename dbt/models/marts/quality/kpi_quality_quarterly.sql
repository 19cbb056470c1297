{{ kpi_quality_rollup('quarter') }}
