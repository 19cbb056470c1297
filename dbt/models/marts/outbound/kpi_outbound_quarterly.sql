{{ kpi_outbound_rollup('quarter') }}
