{{ latest_file_wins_staging(
    'ledger',
    key_columns=['line_id'],
    prefer=['posted_on'],
    columns=[
        'line_id', 'period', 'scenario', 'cost_center', 'account', 'category', 'amount', 'currency', 'posted_on'
    ],
) }}
