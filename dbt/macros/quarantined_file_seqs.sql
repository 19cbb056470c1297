{#- A subquery of the `_file_seq` of the files of `source_name` that have quarantined lines still counted
    (ops.quarantined_rows, written by ingest before every build; a line a later file sent again is superseded and
    not counted). Empty when ingest never wrote the table (a database built from raw alone, as the dbt tests do). -#}
{% macro quarantined_file_seqs(source_name) %}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='ops', identifier='quarantined_rows'
    ) if execute else none -%}
    {%- if relation is not none -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        select file_seq from {{ relation }} where source = '{{ source_name }}'
        {%- if 'superseded_by_file_seq' in columns %} and superseded_by_file_seq is null{% endif %}
    {%- else -%}
        select cast(null as bigint) as file_seq where 1 = 0
    {%- endif -%}
{% endmacro %}
