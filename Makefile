# Two commands for a newcomer (see README): `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint servers benchmark screenshots man install uninstall clean

# The stamps re-install only when pyproject.toml changes. The editable install is a plain
# path entry to this folder (setuptools writes a .pth for a package-dir of "." in its
# default mode: no import hook, and no deprecation banner as the old "compat" mode gave),
# and compiled bytecode is written up front even where PYTHONDONTWRITEBYTECODE is set: both
# keep `adue-wizard verify` quick to start.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	$(BIN)/python -m compileall -q wizard
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed constraints-test.txt
	$(BIN)/python -m pip install --quiet -e '.[test]' -c constraints-test.txt
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

# One numbered line per test as it finishes: the wizard's tests take seconds each, and a
# row of dots would not say how far the run has got.
test: $(VENV)/.installed-test servers lint
	$(BIN)/pytest --verbose

# Bytecode first: with PYTHONDONTWRITEBYTECODE set, an edited module would otherwise be
# compiled again at every start and the start-up figures would measure the compiler.
benchmark: $(VENV)/.installed-test
	$(BIN)/python -m compileall -q wizard
	$(BIN)/python benchmarks/jumpcloud_users.py
	$(BIN)/python benchmarks/maid_apply.py
	$(BIN)/python benchmarks/verify_speed.py
	$(BIN)/python benchmarks/tui_startup.py
	$(BIN)/python benchmarks/history_speed.py
	$(BIN)/python benchmarks/verify_all.py

# Regenerates the README's SVG screenshots from the app itself.
screenshots: $(VENV)/.installed-test
	$(BIN)/python scripts/screenshots.py

# The man page, built from the parser itself: build/man/adue-wizard.1 (see README to install).
man: $(VENV)/.installed-test
	$(BIN)/python scripts/build_man.py build/man/adue-wizard.1

# `adue-wizard` on the PATH for everyday use, as a copy (not this checkout): with pipx when
# it is there, else in a virtual environment of its own under PREFIX (~/.local), linked
# from PREFIX/bin. Run it again to upgrade; `make uninstall` removes it.
PREFIX ?= $(HOME)/.local
PIPX ?= $(shell command -v pipx 2>/dev/null)
APP_VENV = $(PREFIX)/share/adue-wizard/venv

install:
ifneq ($(PIPX),)
	$(PIPX) install --force .
else
	$(PYTHON) -m venv $(APP_VENV)
	$(APP_VENV)/bin/python -m pip install --quiet --upgrade .
	mkdir -p $(PREFIX)/bin
	ln -sf $(APP_VENV)/bin/adue-wizard $(PREFIX)/bin/adue-wizard
	@echo "installed $(PREFIX)/bin/adue-wizard (make sure $(PREFIX)/bin is on your PATH)"
endif

uninstall:
ifneq ($(PIPX),)
	$(PIPX) uninstall adue-wizard
else
	rm -f $(PREFIX)/bin/adue-wizard
	rm -rf $(PREFIX)/share/adue-wizard
endif

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
