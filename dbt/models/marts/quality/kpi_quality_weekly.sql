{{ kpi_quality_rollup('week') }}
