# make run   - set everything up on a fresh Debian machine and open SalesDesk
# make test  - the same set-up, then the whole test suite (GUI tests on Xvfb)
# make bench - the benchmark suite; writes bench.json and prints a table
#
# A second call is quick: the virtual environment is rebuilt only when
# pyproject.toml changes, and system packages are only checked.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SETUP := packaging/setup

.PHONY: run test bench demo check clean system-run system-test

run: system-run $(INSTALLED)
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	    echo "make: no display (DISPLAY is unset); try: xvfb-run make run" >&2; exit 1; fi
	@$(PY) -m salesdesk demo --if-empty
	$(PY) -m salesdesk

# Lint and type-check first (ruff: pyflakes, bugbear, simplify; mypy; see pyproject.toml), then the suite on
# one worker per core (pytest-xdist); PYTEST_ARGS="-n 0" runs in one process.
test: system-test $(INSTALLED)
	$(PY) -m ruff check salesdesk tests benchmarks
	$(PY) -m mypy
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

bench: system-test $(INSTALLED)
	$(PY) -m benchmarks

system-run:
	@$(SETUP)/system-deps.sh run

system-test:
	@$(SETUP)/system-deps.sh test

$(PY):
	@python=$$($(SETUP)/find-python.sh) || exit 1; \
	echo "make: creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	@# compat: a .pth path entry, no import hook on every import (faster start); if a
	@# future setuptools drops it, the default editable mode works too.
	$(PY) -m pip install --quiet -e '.[test]' --config-settings editable_mode=compat \
	    || $(PY) -m pip install --quiet -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .hypothesis bench.json
