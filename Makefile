# Huajie's commands. On a fresh machine: `make demo` runs the demo, `make test` runs the tests.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
VENV := .venv
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_PYTHON_DOWNLOADS := never

.PHONY: install demo test test-fast check bench bench-all load clean

# uv installs the pinned set from uv.lock in seconds; it lives in its own small venv so
# that `uv sync` (which makes .venv exactly the lock) never removes it.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced

demo: install
	$(VENV)/bin/huajie demo

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy huajie config

bench: install
	$(VENV)/bin/python -m tests.bench

# The whole matrix: SQLite and PostgreSQL, 100,000 and 1,000,000 cases (about an hour).
bench-all: install
	scripts/bench-all

# The locust load test on a synthetic national dataset (docs/performance.md); not part of `test`.
load: install
	scripts/load-test

clean:
	rm -rf $(VENV) $(TOOLS)
