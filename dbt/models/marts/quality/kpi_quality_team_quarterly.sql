{{ kpi_quality_rollup('quarter', by='team') }}
