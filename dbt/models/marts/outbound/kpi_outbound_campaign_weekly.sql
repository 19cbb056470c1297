{{ marts_ii_kpi_outbound('week', by='campaign') }}
