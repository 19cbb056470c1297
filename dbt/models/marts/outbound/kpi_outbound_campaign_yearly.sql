{{ marts_ii_kpi_outbound('year', by='campaign') }}
