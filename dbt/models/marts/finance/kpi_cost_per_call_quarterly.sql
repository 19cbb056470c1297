{{ kpi_cost_per_call_rollup('quarter') }}
