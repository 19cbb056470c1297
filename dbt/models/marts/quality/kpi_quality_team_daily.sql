{{ kpi_quality_rollup('day', by='team') }}
