# Two commands set everything up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
JESR_DB ?= data/jesr.duckdb
PORT ?= 8501
DEMO_HOUSEHOLDS ?= 5000
export JESR_DB

.PHONY: run test bench setup db secrets lint browser postgres clean

$(VENV)/.installed: requirements.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

setup: $(VENV)/.installed secrets

secrets:
	@$(PY) scripts/make_secrets.py .streamlit/secrets.toml 2>/dev/null || $(PYTHON) scripts/make_secrets.py .streamlit/secrets.toml

db: setup
	$(PY) -m data_layer --db $(JESR_DB) init --demo-if-new $(DEMO_HOUSEHOLDS)

run: db
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address 0.0.0.0

# Debian's Chromium for the browser journeys (Playwright's own browser download does not work here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: install Debian's chromium package (browser tests will be skipped)"; fi; }

# Debian's PostgreSQL for the tests of the shared store; the tests start their own server in a temporary directory.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else echo "postgresql missing: install Debian's postgresql package"; exit 1; fi; }

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The data-layer tests that also run on PostgreSQL (JESR_TEST_BACKEND=postgres); `PG_TESTS=tests` for all.
PG_TESTS ?= tests/test_distribution.py tests/test_screens_labels.py tests/test_field_operations.py tests/test_entry.py tests/test_import.py tests/test_public_forms.py \
	tests/test_queues.py tests/test_facts.py tests/test_monitoring.py tests/test_anonymise.py \
	tests/test_exports_coverage.py tests/test_tabular.py tests/test_validation.py \
	tests/test_reliability_bad_input.py tests/test_reliability_concurrency.py tests/test_entry_help.py tests/test_receipts.py \
	tests/test_identity.py tests/test_fairness_limits.py tests/test_fairness_baskets.py tests/test_fairness_signals.py \
	tests/test_fairness_facts.py \
	tests/test_hardening.py \
	tests/test_second_country.py \
	tests/test_field_handover.py \
	tests/test_redteam.py \
	tests/test_notify_send.py \
	tests/test_audit_chain.py \
	tests/test_suppression_campaigns.py tests/test_pickup_points.py tests/test_notify_inapp.py \
	tests/test_dashboard_cache_version.py tests/test_access.py tests/test_reliability_access.py \
	tests/test_countries.py tests/test_countries_allocation.py tests/test_countries_reference.py \
	tests/test_countries_registry.py tests/test_countries_validation.py tests/test_import_vectorised.py \
	tests/test_distribution_pages.py tests/test_fairness_page.py tests/test_field_pages.py \
	tests/test_monitoring_pages.py tests/test_pages_entry.py tests/test_pages_phone.py tests/test_public_pages.py \
	tests/test_queues_page.py tests/test_receipt_page.py tests/test_second_country_pages.py tests/test_phone_tables.py \
	tests/test_currency_unit.py tests/test_reference_version.py tests/test_import_bulk.py

# DuckDB test files run on the second core once the PostgreSQL run is done (they start their own
# servers or processes, so they share nothing with the rest of the DuckDB run).
SECOND_CORE ?= tests/test_auth.py tests/test_demo_and_schema.py tests/test_cli_campaigns.py tests/test_cli_countries.py \
	tests/test_backup.py tests/test_backup_postgres.py tests/test_cluster.py tests/test_cluster_postgres.py \
	tests/test_postgres_faults.py tests/test_postgres_processes.py tests/test_postgres_backend.py tests/test_postgres_store.py

test: setup browser postgres haproxy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	@# Two cores: the DuckDB run on one; the PostgreSQL run, then the DuckDB files of SECOND_CORE, on
	@# the other. The browser journeys come last, alone, as they time real screens. Every outcome counts.
	@log=$$(mktemp); \
	{ JESR_TEST_BACKEND=postgres $(PY) -m pytest -q -p no:cacheprovider -m "not browser" $(PG_TESTS); pg=$$?; \
	  $(PY) -m pytest -q -p no:cacheprovider -m "not browser" $(SECOND_CORE); exit $$((pg | $$?)); } >$$log 2>&1 & second=$$!; \
	$(PY) -m pytest -q -m "not browser" $(addprefix --ignore=,$(SECOND_CORE)); first=$$?; \
	wait $$second; other=$$?; echo "--- the PostgreSQL run, then the second core's DuckDB files:"; cat $$log; rm -f $$log; \
	[ $$first = 0 ] && [ $$other = 0 ] || exit 1; \
	$(PY) -m pytest -q -m browser

bench: setup postgres haproxy
	$(PY) -m bench.run
	$(PY) -m bench.cluster $(if $(BENCH_CLUSTER_HOUSEHOLDS),--households $(BENCH_CLUSTER_HOUSEHOLDS))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Several app servers behind HAProxy, with PostgreSQL in data/pg as their shared store (docs/cluster.md).
REPLICAS ?= 2
CLUSTER_DB ?= postgresql://jesr@127.0.0.1:5433/jesr
CLUSTER_PORT ?= 8600
.PHONY: cluster cluster-stop cluster-restart haproxy

# Debian's HAProxy, for the cluster and its tests.
haproxy:
	@command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	  else echo "haproxy missing: install Debian's haproxy package"; exit 1; fi; }

cluster: setup postgres haproxy
	$(PY) -m scripts.cluster start --replicas $(REPLICAS) --db '$(CLUSTER_DB)' --pg-dir data/pg --port $(CLUSTER_PORT) --demo-if-new $(DEMO_HOUSEHOLDS)

cluster-stop:
	$(PY) -m scripts.cluster stop

cluster-restart:
	$(PY) -m scripts.cluster restart
