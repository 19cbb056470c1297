{{ kpi_outbound_rollup('week', by='campaign') }}
