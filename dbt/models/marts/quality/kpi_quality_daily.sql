{{ kpi_quality_rollup('day') }}
