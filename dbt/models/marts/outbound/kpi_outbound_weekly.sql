{{ kpi_outbound_rollup('week') }}
