{#- The center's one ledger currency as a SQL expression: `var('center_currency')` when set; else the currency ingest
    resolved and recorded in `ops.center_settings` (the first ledger file's, SOURCES.md "ledger"); NULL when neither
    exists (no ledger loaded yet). Ingest quarantines every ledger line in another currency, so every landed line
    carries this one. A scalar subquery: the same SQL on DuckDB and Spark. -#}
{% macro center_currency() -%}
    {%- set configured = var('center_currency', '') -%}
    {%- if configured -%}
        '{{ configured }}'
    {%- else -%}
        {%- set recorded = adapter.get_relation(database=target.database, schema='ops', identifier='center_settings')
            if execute else none -%}
        {%- if recorded is not none -%}
            (select max(value) from {{ recorded }} where name = 'center_currency')
        {%- else -%}
            cast(null as {{ dbt.type_string() }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
