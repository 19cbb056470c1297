{{ marts_ii_kpi_outbound('day') }}
