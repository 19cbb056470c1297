{{ kpi_people_rollup('month') }}
