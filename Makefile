# Two commands for a new user (README.md): `make run` and `make test`. Both build the
# environment from uv.lock first; nothing else needs installing by hand.
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
UV := $(VENV)/bin/uv
CENSUS := $(VENV)/bin/census

.PHONY: run test lint format bench clean check-report serve

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The environment, exactly as locked (uv and pip themselves are kept: --inexact). Bytecode is
# compiled once here: where PYTHONDONTWRITEBYTECODE is set (as on our CI machines), Python
# would otherwise compile every imported module again in every process, which made each
# `census run` about 8 s slower (Prefect's temporary server alone imports ~700 modules).
$(CENSUS): pyproject.toml uv.lock Makefile | $(UV)
	$(UV) sync --frozen --inexact --quiet --compile-bytecode
	touch $(CENSUS)

# The sample covers the 2019 plan (2018 is its baseline) and the reform: 2024 the last review by
# district, 2025 the first on the 45 new communes, 2026 the first under the 2027-2030 standard.
run: $(CENSUS)
	@if ! ls -d raw/[0-9][0-9][0-9][0-9] >/dev/null 2>&1; then \
		echo "raw/ holds no census years: writing the sample census of Điện Biên"; \
		$(CENSUS) sample --out raw --years 2018,2019,2024-2026; \
	fi
	$(CENSUS) run

# Two workers, a test file each at a time (its module fixtures built once): the suite took
# 9.5 min on one core of CI's two (617 tests, December 2026), 5.8 min so.
test: $(CENSUS)
	$(VENV)/bin/pytest -q -n 2 --dist loadfile

# The scheduled deployment (README: Operations); needs PREFECT_API_URL of a running server.
serve: $(CENSUS)
	$(CENSUS) serve

# Benchmarks (bench/run.py): prints a table and writes bench/results.md. Workbooks are cached
# in ~/.cache/census-bench. SCALE = share of the nation's 700 districts; PROFILE=1 adds a
# pyinstrument profile of the province run; SKIP_DASK=1 runs the nation on the default runner only.
bench: $(CENSUS)
	$(VENV)/bin/python -m bench.run $(if $(SCALE),--scale $(SCALE)) $(if $(PROFILE),--profile) \
		$(if $(SKIP_DASK),--skip-dask)

lint: $(CENSUS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(CENSUS)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# What the province prints, opened in the real clients (installed from Debian if missing): the
# year's HTML report in headless Chromium (every chart rendered, a screenshot beside it), its
# forms and report workbooks printed through LibreOffice headless and the PDFs' first pages
# rendered with poppler, all under reports/<year>/kiem-tra-in/ (reporting/check.py).
REPORT_YEAR ?= 2019
check-report: $(CENSUS)
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)
	@command -v soffice >/dev/null 2>&1 || (apt-get update && apt-get install -y libreoffice-calc-nogui)
	@command -v pdftoppm >/dev/null 2>&1 || (apt-get update && apt-get install -y poppler-utils)
	@test -f warehouse/census.duckdb || $(MAKE) run
	$(CENSUS) report --year $(REPORT_YEAR) --warehouse warehouse/census.duckdb --out reports/$(REPORT_YEAR)
	$(CENSUS) forms --year $(REPORT_YEAR) --warehouse warehouse/census.duckdb --out reports/$(REPORT_YEAR)
	$(VENV)/bin/python -m reporting.check reports/$(REPORT_YEAR)/bao-cao-ho-ngheo-$(REPORT_YEAR).html
	$(VENV)/bin/python -m reporting.check --print reports/$(REPORT_YEAR)/*.xlsx

clean:
	rm -rf $(VENV) warehouse/census.duckdb warehouse/census.duckdb.wal
