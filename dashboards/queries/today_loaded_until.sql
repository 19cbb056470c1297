-- Without a completeness record: the latest local day of a fact and its last loaded moment (naive UTC), the latest
-- call end or state change (as int_loaded_until in the pipeline).
select max(local_date) as latest_date, max({end_column}) as cutoff_at
from marts.{table}
