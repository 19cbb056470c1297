# Tilsyn quick start: `make demo` runs the whole pipeline on generated sample data; `make test` runs the tests.
# Both bootstrap what they need: uv (through pip), the locked environment (uv.lock), and for tests Debian's chromium.

PYTHON ?= python3
UV := $(PYTHON) -m uv
# Never download a Python interpreter: use the machine's 3.11.
export UV_PYTHON_DOWNLOADS := never
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test test-fast lint bootstrap chromium dagster-dev clean

# Python's bytecode is written (into .venv/pycache) even where PYTHONDONTWRITEBYTECODE is set: without it every process
# of the demo (tilsyn, its generator, dbt parse, dbt build) compiles every module it imports again, ~3 s of CPU each.
demo: .venv/.synced
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.venv/pycache $(UV) run --frozen tilsyn demo

# Two workers (pytest-xdist), each test module on one worker so its shared pipeline run is made once: on two cores
# the suite takes a little more than half the time of one worker (most tests wait on one single-threaded process).
# Bytecode kept as for the demo (below `demo`): every `tilsyn run`, dbt, dagster-daemon, code server and run worker the
# e2e tests start would otherwise compile every module it imports again.
TEST_WORKERS ?= 2
test: .venv/.synced chromium
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.venv/pycache $(UV) run --frozen pytest -n $(TEST_WORKERS) --dist loadfile

# The same suite without the slow end-to-end tests (seconds, for editing).
test-fast: .venv/.synced
	$(UV) run --frozen pytest -m "not e2e"

# Python formatted and checked by ruff, the dbt SQL by sqlfluff (config in pyproject.toml and .sqlfluff). CI runs it
# before the tests; `uv run --frozen pre-commit install` runs the same tools on each commit's files.
lint: .venv/.synced .lint/sqlfluff
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen ruff check .

# sqlfluff parses each file (about half a second of CPU per model). Linted: the models and singular tests with SQL of
# their own; a model that is one macro call (`{{ kpi_service_rollup('week') }}`) is left out, as sqlfluff reports
# nothing inside templated code and parsing the 41 of them took three quarters of the time. The stamp records the
# last clean run: only SQL files changed since are linted again, or all when the config, a macro, a templater
# stand-in or the lock changed (a fresh clone, as in CI, lints all).
SQL_FILES := $(shell find dbt/models dbt/tests -name '*.sql' | xargs grep -lvE '^\s*(\{[{%\#].*[}%\#]\}\s*|--.*|)$$')
SQLFLUFF_INPUTS := .sqlfluff dbt/dbt_project.yml uv.lock $(wildcard dbt/macros/*.sql dbt/sqlfluff_libs/*.py)
.lint/sqlfluff: $(SQL_FILES) $(SQLFLUFF_INPUTS)
	$(UV) run --frozen sqlfluff lint --processes 0 \
		$(if $(filter $(SQLFLUFF_INPUTS),$?),$(SQL_FILES),$(filter %.sql,$?))
	@mkdir -p $(@D) && touch $@

bootstrap: .venv/.synced

# uv itself comes from PyPI through pip; the environment from the lock, exactly.
.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# The Dagster UI on the demo's files (after `make demo`): http://127.0.0.1:3000. Its instance (data/demo/dagster_home)
# gets the recommended dagster.yaml (dagster_project/dagster.yaml.example: the warm run launcher, dequeue every second,
# one pipeline writer) unless it has one. Bytecode kept as for the demo: every run imports the project's modules.
dagster-dev: .venv/.synced
	@mkdir -p data/demo/dagster_home
	@[ -f data/demo/dagster_home/dagster.yaml ] || cp dagster_project/dagster.yaml.example data/demo/dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/data/demo/dagster_home \
	TILSYN_LANDING_DIR=data/demo/landing TILSYN_WAREHOUSE=data/demo/warehouse.duckdb \
	TILSYN_DASHBOARDS_DIR=data/demo/dashboards TILSYN_PSEUDONYM_KEY_FILE=data/demo/pseudonym.key \
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/.venv/pycache \
	$(UV) run --frozen dagster dev -h 127.0.0.1 -p 3000

clean:
	rm -rf data/demo dbt/target test-artifacts .lint

# The benchmark (not part of `make test`; minutes to hours): a generated center through DuckDB alone and through
# Tilsyn, tables into docs/benchmarks.md. Another size: make bench BENCH_ARGS="--agents 1000 --days 30 --reuse"
BENCH_ARGS ?= --agents 100 --days 365 --format both --reuse
.PHONY: bench
bench: .venv/.synced
	$(UV) run --frozen python bench/run_benchmark.py $(BENCH_ARGS)
