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
	@test -f var/kassa.db || $(BIN)/kassa --config $(KASSA_CONFIG) init --demo --history 30
	$(BIN)/kassa --config $(KASSA_CONFIG)

# emupos (the ESC/POS printer emulator the device tests print to) needs Python >= 3.13, so it
# gets its own venv; where python3.13 cannot be found, those tests are skipped with the reason.
EMUPOS := .venv-emupos/bin/emupos
PYTHON313 ?= $(shell for p in $$HOME/.pyenv/versions/3.1[3-9]*/bin/python3 /usr/bin/python3.13 \
	/usr/local/bin/python3.13 $$(command -v python3.13); do \
	[ -x "$$p" ] && "$$p" -c 'import sys; assert sys.version_info >= (3, 13)' 2>/dev/null \
	&& { echo "$$p"; break; }; done)

$(EMUPOS):
	@if [ -n "$(PYTHON313)" ]; then \
		$(PYTHON313) -m venv .venv-emupos && .venv-emupos/bin/pip install --quiet 'emupos==0.4.*'; \
	else echo "python3.13 not found: the emupos printer tests will be skipped"; fi

## test: set up and run everything CI runs: lint, types, import layers, the test suite
test: $(BIN)/kassa $(EMUPOS) lint typecheck layers unit

lint: $(BIN)/kassa
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/kassa
	$(BIN)/mypy

layers: $(BIN)/kassa
	$(BIN)/lint-imports

unit: $(BIN)/kassa
	$(BIN)/pytest -q

## bench: the benchmark table on a generated 200,000-product shop with a year of sales
## (the year takes about 16 minutes to make; it is kept in BENCH_YEAR for the next run)
BENCH_YEAR ?= bench/results/year-200k.db
bench: $(BIN)/kassa
	mkdir -p bench/results
	$(BIN)/python bench/bench_till.py --products 200000 --year-db $(BENCH_YEAR) \
		--out bench/results/latest.md

## translations: refresh the catalog from the source and compile it
translations: $(BIN)/kassa
	$(BIN)/pybabel extract --no-location --omit-header -o data/locale/kassa.pot kassa_tui screens devices
	$(BIN)/pybabel update --no-fuzzy-matching -i data/locale/kassa.pot -d data/locale -D kassa
	$(BIN)/pybabel compile -d data/locale -D kassa

clean:
	rm -rf $(VENV) .venv-emupos var .mypy_cache .ruff_cache .pytest_cache
