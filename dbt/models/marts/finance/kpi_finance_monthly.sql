{{ marts_ii_kpi_finance('month') }}
