{#- "Latest file wins" (SOURCES.md): rank the rows sharing a key so that the row of the highest `_file_seq`, then the
    highest `_source_line`, gets 1. `prefer` puts business ordering first (the ledger's `posted_on`). Staging keeps
    the rows ranked 1. -#}
{% macro latest_file_wins_rank(key_columns, prefer=[]) -%}
    row_number() over (
        partition by {{ key_columns | join(', ') }}
        order by {% for column in prefer %}{{ column }} desc, {% endfor %}_file_seq desc, _source_line desc
    )
{%- endmacro %}
