# Two commands for a new user (README.md): `make run` and `make test`. Both build the
# environment from uv.lock first; nothing else needs installing by hand.
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
UV := $(VENV)/bin/uv
CENSUS := $(VENV)/bin/census

.PHONY: run test lint format bench clean

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The environment, exactly as locked (uv and pip themselves are kept: --inexact).
$(CENSUS): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --inexact --quiet
	touch $(CENSUS)

run: $(CENSUS)
	@if ! ls -d raw/[0-9][0-9][0-9][0-9] >/dev/null 2>&1; then \
		echo "raw/ holds no census years: writing the sample census of Điện Biên"; \
		$(CENSUS) sample --out raw --years 2017-2019; \
	fi
	$(CENSUS) run

test: $(CENSUS)
	$(VENV)/bin/pytest -q

lint: $(CENSUS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(CENSUS)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) warehouse/census.duckdb warehouse/census.duckdb.wal
