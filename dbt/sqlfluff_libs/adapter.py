"""`adapter` for sqlfluff's jinja templater: `adapter.dispatch(name)` calls this project's `duckdb__<name>` macro
(else `default__<name>`), as dbt would on DuckDB, so linted SQL is the SQL dbt runs."""

from jinja2 import pass_context


def dispatch(macro_name, macro_namespace=None):
    @pass_context
    def dispatched(context, *args, **kwargs):
        for prefix in ("duckdb__", "default__"):
            macro = context.get(prefix + macro_name)
            if macro is not None:
                return macro(*args, **kwargs)
        raise LookupError(f"no duckdb__ or default__ implementation of {macro_name}")

    return dispatched


def get_relation(database=None, schema=None, identifier=None):
    """The relation as if it exists (the branch dbt runs on a pipeline database made by ingest)."""
    return f"{schema}.{identifier}"
