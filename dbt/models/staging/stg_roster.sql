{{ latest_file_wins_staging(
    'roster',
    key_columns=['as_of', 'employee_id'],
    columns=[
        'as_of', 'employee_id', 'agent_id', 'role', 'team', 'site', 'supervisor_employee_id', 'employment_type',
        'fte', 'hire_date', 'termination_date', 'termination_type'
    ],
) }}
