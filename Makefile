# The two commands: `make run` and `make test`. Both set up .venv from nothing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: run test test-fast bench lint format install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/python -m web.core.catalogs compile
	touch $(STAMP)

install: $(STAMP)

# The keyword index is ready in seconds; `kb serve` answers at once and builds the semantic
# legs in the background (pages say so until hybrid search switches on by itself).
run: $(STAMP)
	$(BIN)/kb ingest --keyword-first
	$(BIN)/kb serve --port $(PORT)

# The whole suite on SQLite; with KB_TEST_DATABASE_URL set (`.ci/run` sets it when PostgreSQL
# answers), the store's tests and the two-replica test again on that PostgreSQL server.
test: $(STAMP)
	$(BIN)/python -m tests.browser_setup
	env -u KB_TEST_DATABASE_URL $(BIN)/python -m pytest
	if [ -n "$$KB_TEST_DATABASE_URL" ]; then \
		$(BIN)/python -m pytest -m "not models and not browser and not load"; fi

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not models and not browser"

bench: $(STAMP)
	$(BIN)/kb bench

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) data .pytest_cache
