{#- One row per local day and agent: QA evaluations made that day (score sums, critical fails) and the agent's
    handled contacts of that day with how many of them have an evaluation. The additive base of
    kpi_quality_<grain>.
    - Evaluations belong to the local day of `evaluated_at` (QA is reported when it is done).
    - A handled contact is a distinct (contact_id, agent_id) pair of handled inbound legs (METRICS.md), on the
      local day of the agent's first handled leg of the contact; it is evaluated when an evaluation of that
      contact and agent exists, whenever it was made.
    - A center that sends no QA evaluations at all gets no rows (empty quality marts), not a coverage of 0 over
      every handled contact. -#}
with evaluations as (

    select
        {{ period_start('day', to_local_timestamp('evaluated_at')) }} as local_date,
        agent_id,
        count(*) as evaluations,
        sum(score) as score_sum,
        sum(max_score) as max_score_sum,
        sum(case when critical_fail then 1 else 0 end) as critical_fails
    from {{ ref('stg_qa_evaluations') }}
    group by 1, 2

),

handled_contacts as (

    select
        contact_id,
        agent_id,
        min(local_date) as local_date
    from {{ ref('int_contact_legs_enriched') }}
    where is_handled
    group by 1, 2

),

evaluated_pairs as (

    select distinct contact_id, agent_id from {{ ref('stg_qa_evaluations') }}

),

coverage as (

    select
        handled_contacts.local_date,
        handled_contacts.agent_id,
        count(*) as handled_contacts,
        sum(case when evaluated_pairs.contact_id is not null then 1 else 0 end) as evaluated_handled_contacts
    from handled_contacts
    left join evaluated_pairs
        on evaluated_pairs.contact_id = handled_contacts.contact_id
        and evaluated_pairs.agent_id = handled_contacts.agent_id
    group by 1, 2

),

agent_days as (

    select local_date, agent_id from evaluations
    union
    select local_date, agent_id from coverage

)

select
    agent_days.local_date,
    agent_days.agent_id,
    agent_teams.team,
    {{ zero_if_missing('evaluations', ['evaluations', 'score_sum', 'max_score_sum', 'critical_fails']) }},
    {{ zero_if_missing('coverage', ['handled_contacts', 'evaluated_handled_contacts']) }}
from agent_days
{{ left_join_on_keys('agent_days', ['evaluations', 'coverage'], ['local_date', 'agent_id']) }}
{{ left_join_team_on_day('agent_teams', 'agent_days.agent_id', 'agent_days.local_date') }}
where exists (select 1 from {{ ref('stg_qa_evaluations') }})
