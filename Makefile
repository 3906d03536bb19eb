# The two commands of the README are the contract: `make demo` and `make test` work on a fresh
# machine with only Python 3.11+ and make. Everything else is installed here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
DEMO   := build/demo

.PHONY: demo lab test test-fast bench lint format clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@rm -f $(VENV)/.installed-*
	@touch $@

## make demo: set up, publish the bundled sample incident, print the report's path
demo: $(STAMP)
	$(BIN)/postmortem demo --out $(DEMO)

## make lab: JupyterLab (no browser) on the demo incident's notebook; prints the URL
lab: $(STAMP)
	@test -f $(DEMO)/INC-2041/postmortem.ipynb || $(BIN)/postmortem demo --out $(DEMO)
	cd $(DEMO)/INC-2041 && $(CURDIR)/$(BIN)/jupyter lab --no-browser --ServerApp.ip=127.0.0.1 \
		$(if $(filter 0,$(shell id -u)),--allow-root) postmortem.ipynb

## make test: set up (with test tools) and run lint + every test tier
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest

## make test-fast: unit tests only (no kernel, no browser)
test-fast: $(STAMP)
	$(BIN)/pytest -m "not notebook and not browser and not prometheus"

## make bench: speed and size benchmarks (ratios against a baseline run in the same process)
bench: $(STAMP)
	$(BIN)/python tests/bench/import_bench.py
	$(BIN)/python tests/bench/explore_bench.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

clean:
	rm -rf build .pytest_cache
