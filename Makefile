# Two commands: `make app` runs the workbook on a demo programme; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8866
# JupyterLab refuses to start as root unless told it may (a container, a fresh server): say so only then.
USER_ID ?= $(shell id -u)
LAB_AS_ROOT := $(if $(filter 0,$(USER_ID)),--allow-root)

.PHONY: app test test-fast lab demo lint clean bench bench-large
# A bare `make` runs every check, as it should in a project you have just cloned.
.DEFAULT_GOAL := test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the project's metadata changes.
$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed-app $@

app: $(VENV)/.installed-app
	$(BIN)/coprod demo --if-empty
	$(BIN)/coprod serve --port $(PORT)

lab: $(VENV)/.installed-app
	$(BIN)/coprod demo --if-empty
	$(BIN)/jupyter lab $(LAB_AS_ROOT) workbooks/

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(VENV)/.installed-test
	@chromium_path=$$(tools/ensure-chromium $(BIN)/python) && echo "Browser tests use $$chromium_path" && \
	pg_bin=$$(tools/ensure-postgres) && echo "PostgreSQL tests use $$pg_bin" && \
	nginx_path=$$(tools/ensure-nginx) && echo "Deployment tests use $$nginx_path" && \
	chp_path=$$(tools/ensure-chp) && echo "JupyterHub tests use $$chp_path" && \
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && \
	COPROD_CHROMIUM=$$chromium_path COPROD_PG_BIN=$$pg_bin COPROD_NGINX=$$nginx_path COPROD_CHP=$$chp_path \
	$(BIN)/python -m pytest

# Everything except the tests that start servers, browsers or PostgreSQL.
test-fast: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -m "not server and not browser and not postgres and not long"

# Benchmarks (figures, not pass/fail): bench/results.md. bench-large adds a programme of 600 sites.
bench: $(VENV)/.installed-test
	@chromium_path=$$(tools/ensure-chromium $(BIN)/python) && \
	COPROD_CHROMIUM=$$chromium_path $(BIN)/python -m bench.run

bench-large: $(VENV)/.installed-test
	@chromium_path=$$(tools/ensure-chromium $(BIN)/python) && \
	COPROD_CHROMIUM=$$chromium_path $(BIN)/python -m bench.run --large

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
