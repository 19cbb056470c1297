{{ marts_ii_kpi_cost_per_call('year') }}
