{{ latest_file_wins_staging(
    'qa_evaluations',
    key_columns=['evaluation_id'],
    columns=[
        'evaluation_id', 'contact_id', 'agent_id', 'evaluator_id', 'evaluated_at', 'form', 'score', 'max_score',
        'critical_fail', 'comments'
    ],
) }}
