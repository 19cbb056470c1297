{{ kpi_quality_rollup('month', by='team') }}
