{#- "Latest file wins" (SOURCES.md): rank the rows sharing a key so that the row of the highest `_file_seq`, then the
    highest `_source_line`, gets 1. `prefer` puts business ordering first (the ledger's `posted_on`). Staging keeps
    the rows ranked 1. -#}
{% macro latest_file_wins_rank(key_columns, prefer=[]) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by {% for column in prefer %}{{ column }} desc, {% endfor %}_file_seq desc, _source_line desc
    )
{%- endmacro %}

{#- The rows of `relation` (a CTE or table) that win "latest file wins" for `key_columns`, found without sorting: a
    hash aggregate finds each key's winning (file, line), encoded as one number (`_file_seq` * 10^9 + `_source_line`;
    a file has fewer than 10^9 lines), and a hash join keeps that row. The window of `latest_file_wins_rank` sorts
    every row with all its columns, which at a year of a large center (tens of millions of rows) spills to disk for
    minutes; keys are required columns, so no key is NULL. -#}
{% macro latest_file_rows(relation, key_columns) -%}
    select {{ relation }}.*
    from {{ relation }}
    inner join (
        select {{ key_columns | join(', ') }}, max(_file_seq * 1000000000 + _source_line) as _winning_row
        from {{ relation }}
        group by {{ key_columns | join(', ') }}
    ) as latest
        on {% for column in key_columns -%}
            latest.{{ column }} = {{ relation }}.{{ column }} and {% endfor -%}
        latest._winning_row = {{ relation }}._file_seq * 1000000000 + {{ relation }}._source_line
{%- endmacro %}

{#- The whole staging model of a small source (roster, ledger, QA evaluations): its raw rows, the row that wins
    "latest file wins" for `key_columns` (after the business order `prefer`), with the source's `columns` and the
    lineage columns. Small enough to rank with a window; the big sources use `latest_file_rows` and are incremental. -#}
{% macro latest_file_wins_staging(source_table, key_columns, columns, prefer=[]) -%}
with source as (

    select * from {{ source('raw', source_table) }}

),

ranked as (

    select
        source.*,
        {{ latest_file_wins_rank(key_columns, prefer=prefer) }} as _row_rank
    from source

),

deduplicated as (

    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        _file_seq,
        _source_file,
        _source_line
    from ranked
    where _row_rank = 1

)

select * from deduplicated
{%- endmacro %}
