# Two commands for a newcomer (see README): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint servers benchmark screenshots clean

# The stamps re-install only when pyproject.toml changes. A "compat" editable install is a
# plain path entry (no import hook), and compiled bytecode is written up front even where
# PYTHONDONTWRITEBYTECODE is set: both keep `adue-wizard verify` quick to start.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . --config-settings editable_mode=compat
	$(BIN)/python -m compileall -q wizard
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed constraints-test.txt
	$(BIN)/python -m pip install --quiet -e '.[test]' -c constraints-test.txt --config-settings editable_mode=compat
	touch $@

run: $(VENV)/.installed
	$(BIN)/adue-wizard

# nginx, Apache and Caddy for the generated-config tests: installed with apt when root.
servers:
	@bash scripts/install-servers.sh

lint: $(VENV)/.installed-test
	$(BIN)/ruff check wizard tests benchmarks scripts
	$(BIN)/ruff format --check wizard tests benchmarks scripts
	$(BIN)/mypy wizard tests benchmarks scripts
	$(BIN)/lint-imports --no-cache

test: $(VENV)/.installed-test servers lint
	$(BIN)/pytest

# Bytecode first: with PYTHONDONTWRITEBYTECODE set, an edited module would otherwise be
# compiled again at every start and the start-up figures would measure the compiler.
benchmark: $(VENV)/.installed-test
	$(BIN)/python -m compileall -q wizard
	$(BIN)/python benchmarks/maid_apply.py
	$(BIN)/python benchmarks/verify_speed.py
	$(BIN)/python benchmarks/tui_startup.py
	$(BIN)/python benchmarks/history_speed.py

# Regenerates the README's SVG screenshots from the app itself.
screenshots: $(VENV)/.installed-test
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
