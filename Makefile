# The two commands of the README. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= baoxiu.toml
# make run PORT=8081 · make run HOST=192.168.1.5 · make run LAN=1 (phones on the same network)
PORT ?= 8080
HOST ?=
LAN ?=

.PHONY: run test lint typecheck unit bench screenshots system-deps clean

$(BIN)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "baoxiu needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed
	@test -f $(CONFIG) || $(BIN)/baoxiu init --demo --config $(CONFIG)
	@# exit status 2: refused and already said why in one line (a taken port); make adds nothing
	@$(BIN)/baoxiu serve --config $(CONFIG) --port $(PORT) $(if $(HOST),--host $(HOST)) $(if $(LAN),--lan) || [ $$? -eq 2 ]

test: lint typecheck unit

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed system-deps
	$(BIN)/pytest

system-deps:
	@scripts/system-deps

# Regenerates the README's screenshots from the browser tests.
screenshots: $(BIN)/.installed system-deps
	BAOXIU_SCREENSHOTS=docs $(BIN)/pytest tests/browser -q

bench: $(BIN)/.installed
	$(BIN)/python -m bench.intake $(if $(BAOXIU_BENCH_POSTGRES_URL),--postgres $(BAOXIU_BENCH_POSTGRES_URL))
	$(BIN)/python -m bench.feishu
	$(BIN)/python -m bench.dingtalk
	$(BIN)/python -m bench.clicks $(if $(BAOXIU_BENCH_POSTGRES_URL),--postgres $(BAOXIU_BENCH_POSTGRES_URL))
	$(BIN)/python -m bench.photos
	$(if $(BAOXIU_BENCH_POSTGRES_URL),$(BIN)/python -m bench.sla --postgres $(BAOXIU_BENCH_POSTGRES_URL),@echo "bench.sla: skipped, it needs a PostgreSQL server (BAOXIU_BENCH_POSTGRES_URL)")
	$(if $(BAOXIU_BENCH_POSTGRES_URL),$(BIN)/python -m bench.export --postgres $(BAOXIU_BENCH_POSTGRES_URL),@echo "bench.export: skipped, it needs a PostgreSQL server (BAOXIU_BENCH_POSTGRES_URL)")
	$(if $(BAOXIU_BENCH_POSTGRES_URL),$(BIN)/python -m bench.stats --postgres $(BAOXIU_BENCH_POSTGRES_URL),@echo "bench.stats: skipped, it needs a PostgreSQL server (BAOXIU_BENCH_POSTGRES_URL)")

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
