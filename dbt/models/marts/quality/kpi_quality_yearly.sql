{{ kpi_quality_rollup('year') }}
