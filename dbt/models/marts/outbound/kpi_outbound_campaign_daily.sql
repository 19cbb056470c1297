{{ kpi_outbound_rollup('day', by='campaign') }}
