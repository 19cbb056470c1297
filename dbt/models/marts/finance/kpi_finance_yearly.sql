{{ kpi_finance_rollup('year') }}
