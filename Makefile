# Two commands are all a newcomer needs: `make demo` and `make test`.
# Each creates .venv (if missing) from pyproject.toml and installs the package with its
# dependencies; the install is redone only when pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo lab app test lint unit notebooks bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "spbe-toolkit needs Python 3.11 or newer (found " + sys.version.split()[0] + ")")'
	@echo "Menyiapkan lingkungan $(VENV) dari pyproject.toml (sekali saja, sekitar satu menit) ..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Memasang spbe-toolkit dan dependensinya (pandas, JupyterLab, Voila, ...) ..."
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)
	@echo "Lingkungan siap."

demo: $(STAMP)
	$(BIN)/spbe demo

# JupyterLab on the notebooks, opening the first one (each notebook builds its own synthetic round)
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks notebooks/01_muat_dan_validasi.ipynb

# the evaluator app on the demo round written by `make demo`
app: $(STAMP)
	@test -f spbe-demo-output/putaran_contoh_sintetis.sqlite || $(BIN)/spbe demo
	$(BIN)/spbe app spbe-demo-output/putaran_contoh_sintetis.sqlite

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
