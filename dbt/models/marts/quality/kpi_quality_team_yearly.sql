{{ kpi_quality_rollup('year', by='team') }}
