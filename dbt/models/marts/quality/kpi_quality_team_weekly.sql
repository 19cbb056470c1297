{{ marts_ii_kpi_quality('week', by='team') }}
