# The two commands of the README: `make demo` and `make test`. Both create and
# use .venv; nothing needs installing by hand beyond Python 3.11+.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
SEED   := pipelines/flask-webapp.yaml

.PHONY: demo test lint typecheck unit bench schema golden clean help

help:
	@echo "make demo   - install into $(VENV), validate, compile and deploy the seed pipeline (emulated AWS)"
	@echo "make test   - install test extras, run ruff, mypy and the whole test suite"
	@echo "make lint   - ruff and mypy only"
	@echo "make bench  - run the benchmarks and print their tables"
	@echo "make schema - regenerate schemas/pipeline.schema.json and its packaged copy"
	@echo "make golden - regenerate golden files (review the diff!)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "sfnc needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamps make reinstalling happen only when the packaging changes.
$(VENV)/.installed: $(PY) setup.cfg pyproject.toml
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

# The demo's emulated AWS (a moto server) comes from the `demo` extra.
$(VENV)/.installed-demo: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[demo]'
	@touch $@

demo: $(VENV)/.installed-demo
	@echo "== 1. validate: the seed pipeline, as sfnc understands it"
	$(BIN)/sfnc validate $(SEED) --summary
	@echo "== 2. compile: the CloudFormation template and the state machine"
	$(BIN)/sfnc compile $(SEED) -o build/
	@echo "== 3. deploy: to a local AWS emulator started for the demo and stopped after"
	$(PY) -m tests.support.emulated_demo $(SEED) --stack-name flask-webapp-demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

typecheck: lint

test: lint
	$(BIN)/pytest

bench: $(VENV)/.installed-test
	$(PY) benchmarks/run.py

schema: $(PY)
	$(PY) schemas/generate.py

golden: $(VENV)/.installed-test
	$(BIN)/pytest tests/golden_test.py tests/golden_errors_test.py --update-golden

clean:
	rm -rf $(VENV) build dist compiler/*.egg-info .pytest_cache .mypy_cache .ruff_cache
