{{ kpi_quality_rollup('week', by='team') }}
