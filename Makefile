# Two commands are all a newcomer needs: `make demo` and `make test`.
# Each creates .venv (if missing) from pyproject.toml and installs the package with its
# dependencies; the install is redone only when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint unit notebooks bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "spbe-toolkit needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/spbe demo

lint: $(STAMP)
	$(BIN)/ruff check spbe_toolkit tests benchmarks
	$(BIN)/ruff format --check spbe_toolkit tests benchmarks

unit: $(STAMP)
	$(BIN)/pytest -q tests

notebooks: $(STAMP)
	$(BIN)/pytest -q --nbval-lax notebooks

test: lint unit notebooks

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache .benchmarks build dist *.egg-info spbe-demo-output
	find . -path ./.git -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -prune -exec rm -rf {} +
