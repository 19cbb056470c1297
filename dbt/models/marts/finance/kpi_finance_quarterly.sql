{{ marts_ii_kpi_finance('quarter') }}
