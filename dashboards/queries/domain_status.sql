-- Domains whose marts could not be rebuilt and keep their last good version (ops.domain_status, written by the
-- pipeline after each dbt build): which, since when, and why, in plain words.
select domain, stale_since, fresh_as_of, reason
from ops.domain_status
where status = 'stale'
order by domain
