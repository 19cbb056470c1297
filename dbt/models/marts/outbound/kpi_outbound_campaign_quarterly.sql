{{ kpi_outbound_rollup('quarter', by='campaign') }}
