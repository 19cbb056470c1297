-- When the pipeline published this warehouse version (UTC), from the version's own manifest.
select max(published_at) as published_at from ops.published_version
