{{ kpi_outbound_rollup('day') }}
