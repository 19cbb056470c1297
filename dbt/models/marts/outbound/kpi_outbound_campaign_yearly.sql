{{ kpi_outbound_rollup('year', by='campaign') }}
