# The two commands: `make run` (platform with the demo district) and `make test` (the suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: run test test-sqlite test-postgres typecheck lint format install web browser clean

$(BIN)/yingji: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(BIN)/yingji

install: $(BIN)/yingji

# The dashboard: `npm ci` when the lock file changed, `npm run build` when any source changed.
WEB_SOURCES := $(shell find web -type f \
	-not -path 'web/node_modules/*' -not -path 'web/.vite/*' 2>/dev/null)
WEB_STAMP := src/yingji/dashboard/static/.stamp-build

web: $(WEB_STAMP)

web/node_modules/.stamp-npm-ci: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_STAMP): web/node_modules/.stamp-npm-ci $(WEB_SOURCES)
	cd web && npm run build
	touch $@

# Debian's chromium (and CJK fonts) for the browser tests; Playwright never downloads a browser.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then \
		apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-cjk; \
	fi

run: install web
	$(BIN)/yingji demo

test: install web browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) typecheck
	$(MAKE) test-sqlite
	@if pg_isready -q -h 127.0.0.1 -p 5432; then \
		$(MAKE) test-postgres; \
	else \
		echo "PostgreSQL is not answering on 127.0.0.1:5432: PostgreSQL suite not run"; \
		if [ -n "$$CI" ]; then exit 1; fi; \
	fi

# mypy over src/ (settings in pyproject.toml: service modules fully annotated)
typecheck: install
	$(BIN)/mypy

test-sqlite: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

test-postgres: install
	YINGJI_TEST_DATABASE=postgres YINGJI_TEST_PG_ADMIN_URL=$(PG_URL) $(BIN)/python -m pytest -n 2 -q -m "not browser"

lint: install
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var .pytest_cache
