{{ marts_ii_kpi_quality('quarter', by='team') }}
