{{ kpi_finance_rollup('month') }}
