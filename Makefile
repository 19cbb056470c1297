# Tilsyn quick start: `make demo` runs the whole pipeline on generated sample data; `make test` runs the tests.
# Both bootstrap what they need: uv (through pip), the locked environment (uv.lock), and for tests Debian's chromium.

PYTHON ?= python3
UV := $(PYTHON) -m uv
# Never download a Python interpreter: use the machine's 3.11.
export UV_PYTHON_DOWNLOADS := never
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test test-fast bootstrap chromium dagster-dev clean

demo: .venv/.synced
	$(UV) run --frozen tilsyn demo

test: .venv/.synced chromium
	$(UV) run --frozen pytest

# The same suite without the slow end-to-end tests (seconds, for editing).
test-fast: .venv/.synced
	$(UV) run --frozen pytest -m "not e2e"

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

# The Dagster UI on the demo's files (after `make demo`): http://127.0.0.1:3000
dagster-dev: .venv/.synced
	TILSYN_LANDING_DIR=data/demo/landing TILSYN_WAREHOUSE=data/demo/warehouse.duckdb \
	TILSYN_DASHBOARDS_DIR=data/demo/dashboards TILSYN_PSEUDONYM_KEY_FILE=data/demo/pseudonym.key \
	$(UV) run --frozen dagster dev -h 127.0.0.1 -p 3000

clean:
	rm -rf data/demo dbt/target test-artifacts

# The benchmark (not part of `make test`; minutes to hours): a generated center through DuckDB alone and through
# Tilsyn, tables into docs/benchmarks.md. Another size: make bench BENCH_ARGS="--agents 1000 --days 30 --reuse"
BENCH_ARGS ?= --agents 100 --days 365 --format both --reuse
.PHONY: bench
bench: .venv/.synced
	$(UV) run --frozen python bench/run_benchmark.py $(BENCH_ARGS)
