{#- Data tests of incremental models check the rows the latest build wrote, not the whole table (issue 10: at 1,000
    agents x 365 days the whole-table tests of the big facts took ~90 s of every nightly run for one new day).

    dbt wraps the model of every generic test in `get_where_subquery` (its documented hook for the `where` config);
    this override adds `_built_at = <the model's newest stamp>` when the tested model is incremental
    (macros/incremental.sql, `build_stamp`). Why that is enough:
      * rows a build did not rewrite were tested by the build that wrote them;
      * the uniqueness tests stay sound: incremental models replace rows by their key (delete+insert) or by their
        whole partition (agent-day, and the key's `started_at` fixes the agent-day), so a new row cannot duplicate
        an old one that survived;
      * a full refresh stamps every row, so it tests the whole table.
    `--vars '{data_tests_scope: all}'` tests whole tables (e.g. after editing the warehouse by hand). -#}
{% macro get_where_subquery(relation) -%}
    {%- set filters = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do filters.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- if execute and var('data_tests_scope', 'latest_build') != 'all' -%}
        {%- set attached = model.get('attached_node') if model is mapping else model.attached_node -%}
        {%- set tested = graph.nodes.get(attached) if attached else none -%}
        {%- if tested and tested.config.materialized == 'incremental' -%}
            {%- do filters.append('_built_at = (select max(_built_at) from ' ~ relation ~ ')') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if filters -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ (filters | join(' and ')) ~ ') dbt_subquery') -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
