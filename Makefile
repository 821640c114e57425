# Ancrage — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install messages demo test lint bench clean

$(STAMP): pyproject.toml scripts/system-deps.sh
	bash scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# Compiled translations are built here, never committed.
messages: $(STAMP)
	cd src/ancrage && ../../$(BIN)/ancrage compilemessages --verbosity 0

install: $(STAMP) messages

demo: install
	$(BIN)/ancrage migrate --noinput --verbosity 0
	$(BIN)/ancrage seed-demo --if-empty
	@echo "Ancrage runs at http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	ANCRAGE_DEMO=1 $(BIN)/ancrage runserver --noreload $(HOST):$(PORT)

test: install
	bash scripts/run-tests.sh

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

bench: install
	$(BIN)/ancrage bench --all --out-dir var/bench

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .ruff_cache
	find src -name '*.mo' -delete
