{{ kpi_outbound_rollup('month', by='campaign') }}
