{{ kpi_finance_rollup('quarter') }}
