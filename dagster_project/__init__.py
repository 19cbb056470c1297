# dagster-dbt is imported without dbt-core's Python modules: dbt runs as a process of its own (dbt_core_imports.py).
from dagster_project import dbt_core_imports

dbt_core_imports.install()
