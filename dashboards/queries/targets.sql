-- KPI targets (seed kpi_targets, see dbt/seeds/kpi_targets.yml): one row per KPI, scope and validity period.
select kpi, scope_type, scope_value, valid_from, valid_to, target_value, direction
from marts.kpi_targets
