{{ kpi_people_rollup('year') }}
