{{ marts_ii_kpi_quality('month', by='team') }}
