{#- An ops table the pipeline writes outside dbt (ingest, or a step after the build), as a model reads it: a select
    of `columns` from the table, or a typed empty select while the pipeline database has no such table (a database
    made before the table, or a test fixture of raw rows). `columns`: a list of [name, type] or
    [name, type, expression], the expression reading the table as `ops_table` (without one, the column itself). -#}
{% macro ops_table_or_empty(identifier, columns) -%}
    {%- set relation = adapter.get_relation(database=target.database, schema='ops', identifier=identifier)
        if execute else none -%}
    {%- if relation is not none -%}
    select
        {%- for column in columns %}
        {{ column[2] if column | length > 2 else 'ops_table.' ~ column[0] }} as {{ column[0] }}
        {{- ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }} as ops_table
    {%- else -%}
    select
        {%- for column in columns %}
        cast(null as {{ column[1] }}) as {{ column[0] }}{{ ',' if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- endif -%}
{%- endmacro %}
