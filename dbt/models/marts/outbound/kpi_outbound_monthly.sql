{{ kpi_outbound_rollup('month') }}
