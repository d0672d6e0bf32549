# kassa — set up, run the demo shop, run the tests. Needs python3 (>= 3.11) with venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KASSA_CONFIG ?= kassa.toml

.PHONY: demo test lint typecheck layers unit bench translations clean

$(BIN)/kassa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/kassa

## demo: set up and start the till on the demo shop (receipts go to var/receipts.bin)
demo: $(BIN)/kassa
	@test -f var/kassa.db || $(BIN)/kassa --config $(KASSA_CONFIG) init --demo
	$(BIN)/kassa --config $(KASSA_CONFIG)

## test: set up and run everything CI runs: lint, types, import layers, the test suite
test: $(BIN)/kassa lint typecheck layers unit

lint: $(BIN)/kassa
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/kassa
	$(BIN)/mypy

layers: $(BIN)/kassa
	$(BIN)/lint-imports

unit: $(BIN)/kassa
	$(BIN)/pytest -q

## bench: the benchmark table on a generated 200,000-product shop
bench: $(BIN)/kassa
	$(BIN)/python bench/bench_till.py --products 200000

## translations: refresh the catalog from the source and compile it
translations: $(BIN)/kassa
	$(BIN)/pybabel extract --no-location --omit-header -o data/locale/kassa.pot kassa_tui screens devices
	$(BIN)/pybabel update --no-fuzzy-matching -i data/locale/kassa.pot -d data/locale -D kassa
	$(BIN)/pybabel compile -d data/locale -D kassa

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
