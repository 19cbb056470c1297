{{ kpi_people_rollup('quarter') }}
