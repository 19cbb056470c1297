{#- Generic data test, model level: every non-NULL value of each column of `ranges` ({column: [min, max]}) lies in
    [min, max], either bound may be null (open). One query for all the ranges of a model. Each failing row is
    returned once, with `out_of_range_columns` naming the columns out of their range. -#}
{% test columns_between(model, ranges) %}
{%- set conditions = {} -%}
{%- for column, bounds in ranges.items() -%}
    {%- set checks = [] -%}
    {%- if bounds[0] is not none %}{% do checks.append(column ~ ' < ' ~ bounds[0]) %}{% endif -%}
    {%- if bounds[1] is not none %}{% do checks.append(column ~ ' > ' ~ bounds[1]) %}{% endif -%}
    {%- if not checks -%}
        {{ exceptions.raise_compiler_error("columns_between: no bound for column " ~ column) }}
    {%- endif -%}
    {%- do conditions.update({column: '(' ~ checks | join(' or ') ~ ')'}) -%}
{%- endfor %}
select
    concat_ws(', '
        {%- for column, condition in conditions.items() %},
        case when {{ condition }} then '{{ column }}' end
        {%- endfor %}
    ) as out_of_range_columns,
    *
from {{ model }}
where {% for column, condition in conditions.items() %}{{ condition }}{% if not loop.last %}
   or {% endif %}{% endfor %}
{% endtest %}
