{#- Generic data test: every non-NULL value of the column lies in [min_value, max_value] (either bound may be
    omitted). Used for the ratios of the marts II (rates in 0..1, counts >= 0); dbt_utils is not installed. -#}
{% test marts_ii_between(model, column_name, min_value=none, max_value=none) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null
  and (
    {%- if min_value is not none %} {{ column_name }} < {{ min_value }}{% else %} false{% endif %}
    or
    {%- if max_value is not none %} {{ column_name }} > {{ max_value }}{% else %} false{% endif %}
  )
{% endtest %}
