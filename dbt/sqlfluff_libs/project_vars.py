"""`var()` for sqlfluff's jinja templater: the defaults of `dbt/dbt_project.yml` (sqlfluff's own stand-in returns a
string, which SQL such as `-var('fcr_window_days')` cannot use)."""

from pathlib import Path

import yaml

_VARS = yaml.safe_load((Path(__file__).resolve().parents[1] / "dbt_project.yml").read_text()).get("vars", {})


def get(name, default=None):
    return _VARS.get(name, default)
