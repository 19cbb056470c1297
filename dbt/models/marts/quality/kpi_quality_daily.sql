{{ marts_ii_kpi_quality('day') }}
