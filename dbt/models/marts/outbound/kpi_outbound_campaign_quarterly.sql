{{ marts_ii_kpi_outbound('quarter', by='campaign') }}
