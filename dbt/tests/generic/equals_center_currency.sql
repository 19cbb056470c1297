{#- Generic data test, column level: every non-NULL value is the center's one currency (macro center_currency).
    An invariant: ingest quarantines ledger lines in another currency (rule "not the center's currency"), so a row
    failing here is a defect, not a source condition. -#}
{% test equals_center_currency(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and {{ column_name }} <> {{ center_currency() }}
{% endtest %}
