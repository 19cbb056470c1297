-- First and last local day of a daily mart (placeholder: table): the range the pages cover and the data's freshness.
select min(local_date) as first_day, max(local_date) as last_day from marts.{table}
