# Set-up and everyday commands. `make serve` and `make test` work on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: site serve test fast check lint types golden bench weight chromium clean runtime

# What building and serving need (requirements.txt) is installed first and alone: `make serve`
# on a fresh machine does not wait for the test and lint tools.
$(RUNTIME): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) -r requirements.txt
	touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.txt
	$(PIP) -r requirements-dev.txt
	touch $(STAMP)

site: $(RUNTIME)          ## build the site into public/
	$(PY) build.py

serve: $(RUNTIME)         ## build, serve on http://127.0.0.1:8000 and reload on change
	$(PY) build.py serve

chromium:                 ## Debian's Chromium for the browser tests (Playwright downloads nothing)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json   ## axe-core for the accessibility tests, pinned in package-lock.json
	@command -v npm >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm)
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

test: lint types $(NPM_STAMP) chromium   ## ruff and mypy, then every test: unit, golden, errors, server, slow, browser
	$(PY) -m pytest -n auto --dist worksteal

fast: $(STAMP)            ## the quick tests while you work: all but the slow end-to-end runs and the browser
	$(PY) -m pytest -n auto --dist worksteal -m "not slow and not browser" --ignore=tests/test_browser_reader.py --ignore=tests/test_browser_reload.py

lint: $(STAMP)
	$(VENV)/bin/ruff check broadsheet tests charts build.py
	$(VENV)/bin/ruff format --check broadsheet tests charts build.py

types: $(STAMP)
	$(VENV)/bin/mypy

check: test               ## the same as `make test` (lint, types and tests)

golden: $(STAMP)          ## regenerate the expected output of the golden tests, on purpose
	BROADSHEET_GOLDEN=1 $(PY) -m pytest tests/test_golden.py

bench: $(STAMP)           ## performance benchmark (prints a Markdown table)
	$(PY) bench/run.py

weight: $(STAMP) chromium ## page weight before interaction, per page (prints a Markdown table)
	$(PY) bench/page_weight.py

clean:
	rm -rf public .cache

runtime: $(STAMP)         ## regenerate the shipped chart runtime after upgrading vl-convert
	rm -f broadsheet/vendor/vega-runtime-*.js
	$(PY) -c "from broadsheet.assets import generate_runtime, runtime_file; runtime_file().write_text(generate_runtime(), encoding='utf-8')"
