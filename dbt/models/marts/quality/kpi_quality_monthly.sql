{{ kpi_quality_rollup('month') }}
