{{ marts_ii_kpi_people('quarter') }}
