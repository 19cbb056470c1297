"""dbt's cross-database macros (`dbt.dateadd`, ...) for sqlfluff's jinja templater: what dbt-duckdb expands them to,
in shape (the linter needs SQL that parses the same way, not the exact text)."""


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def type_string():
    return "varchar"


def generate_series(upper_bound):
    return f"select generated_number from generate_series(1, {upper_bound}) as series(generated_number)"


def date_spine(datepart, start_date, end_date):
    return (
        f"select date_add({start_date}, interval (generated_number - 1) {datepart}) as date_{datepart} "
        f"from generate_series(1, 100) as series(generated_number)"
    )
