{{ marts_ii_kpi_quality('year', by='team') }}
