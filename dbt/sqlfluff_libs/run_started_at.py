"""`run_started_at` for sqlfluff's jinja templater: only `.strftime` is used (dbt/macros/incremental.sql)."""

import datetime as _datetime


def strftime(fmt):
    return _datetime.datetime(2026, 1, 1).strftime(fmt)
