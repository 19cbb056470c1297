{{ marts_ii_kpi_outbound('month', by='campaign') }}
