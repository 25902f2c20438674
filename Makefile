# Two entry points for a fresh machine with Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint typecheck imports unit bench catalog clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/retour demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest -n 2 -q

# Everything CI runs: first what the tests need besides Python (scripts/test-environment
# installs it as root on Debian, else stops at once saying what is missing), then the checks,
# then the whole suite on SQLite and again on PostgreSQL (there only the tests that reach the
# database: tests/conftest.py, pytest_collection_modifyitems).
test: $(STAMP)
	@url=$$(scripts/test-environment) || exit 1; \
	$(MAKE) --no-print-directory lint typecheck imports || exit 1; \
	echo "== the suite on SQLite"; \
	$(BIN)/pytest -n 2 -q || exit 1; \
	echo "== the suite again on PostgreSQL"; \
	RETOUR_TEST_DATABASE="$$url" $(BIN)/pytest -n 2 -q

# The message catalog: the texts marked in the code (_("...", lang), N_("...")) into the Dutch
# catalog (new ones untranslated: translate them in the .po file), compiled to .mo beside it.
catalog: $(STAMP)
	$(BIN)/python scripts/catalog.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info src/*.egg-info
