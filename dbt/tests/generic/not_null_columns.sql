{#- Generic data test, model level: none of `columns` is NULL. One query for all the columns of a model (a dbt test
    per column costs a node and its overhead each). Each failing row is returned once, with `null_columns` naming
    its NULL columns. -#}
{% test not_null_columns(model, columns) %}
select
    concat_ws(', '
        {%- for column in columns %},
        case when {{ column }} is null then '{{ column }}' end
        {%- endfor %}
    ) as null_columns,
    *
from {{ model }}
where {% for column in columns %}{{ column }} is null{% if not loop.last %}
   or {% endif %}{% endfor %}
{% endtest %}
