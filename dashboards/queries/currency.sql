-- The center's currency, when the finance mart carries one (METRICS.md: one currency per center).
select any_value(currency) as center_currency from marts.kpi_finance_monthly
