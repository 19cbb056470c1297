{{ kpi_outbound_rollup('year') }}
