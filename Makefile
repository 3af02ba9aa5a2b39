# neuroprotect: `make demo` runs the bundled demo study, `make test` runs the test suite.
# Both create the virtual environment (.venv) and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
STAMP_RUN := $(VENV)/.installed
DEMO_OUT ?= demo-output

.PHONY: demo test lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP_RUN)

demo: $(STAMP_RUN)
	$(BIN)/neuroprotect demo --out $(DEMO_OUT)

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# Each benchmark prints its speed as a ratio against a baseline run side by side (see benchmarks/).
bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks -q
	$(BIN)/python benchmarks/bench_water_maze.py
	$(BIN)/python benchmarks/bench_histology_ttc.py --sizes 2048
	$(BIN)/python benchmarks/bench_histology_neurons.py --sizes 2048
	$(BIN)/python benchmarks/bench_startup.py

clean:
	rm -rf $(VENV) $(DEMO_OUT) .pytest_cache .ruff_cache .mypy_cache
