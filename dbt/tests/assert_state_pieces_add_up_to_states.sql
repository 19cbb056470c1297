-- Splitting at interval and day boundaries loses and adds nothing: the pieces of every state add up to the state.
-- Checked for the states the latest build touched (macros/where_subquery.sql), summing all their pieces: a state
-- crossing midnight may have one piece rebuilt and one from an earlier build.
{%- set spanned = ref('int_agent_states_spanned') %}
with latest_states as (

    select distinct agent_id, state_started_at
    from {{ spanned }}
    {%- if var('data_tests_scope', 'latest_build') != 'all' %}
    where _built_at = (select max(_built_at) from {{ spanned }})
    {%- endif %}

)

select pieces.agent_id, pieces.state_started_at, sum(pieces.duration_seconds) as piece_seconds
from {{ spanned }} as pieces
inner join latest_states
    on latest_states.agent_id = pieces.agent_id
    and latest_states.state_started_at = pieces.state_started_at
{%- if var('data_tests_scope', 'latest_build') != 'all' %}
-- the same bound as a single value: DuckDB skips the row groups of older days instead of probing a year of pieces
where pieces.state_started_at >= (select min(touched.state_started_at) from latest_states as touched)
{%- endif %}
group by pieces.agent_id, pieces.state_started_at, pieces.state_ended_at
having sum(pieces.duration_seconds) <> {{ seconds_between('pieces.state_started_at', 'pieces.state_ended_at') }}
