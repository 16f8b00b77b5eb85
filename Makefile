# prr: `make demo` and `make test` are the two commands a newcomer needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SOURCES := src tests bench

.PHONY: demo test lint docs pytest chromium slapd nginx bench prr-review screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,lint]'
	touch $@ $(VENV)/.installed-run

# A fresh demo in .demo-data, served on http://127.0.0.1:8000/ (Ctrl-C stops it).
demo: $(VENV)/.installed-run
	rm -rf .demo-data
	env -u PRR_DATABASE_URL PRR_DATA_DIR=$(CURDIR)/.demo-data $(BIN)/prr demo

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/mypy $(SOURCES)

# The parts of the docs written from the code (src/prr/docs_gen.py): the README's CLI reference
# and the webhook event types. tests/test_docs.py fails when they are stale.
docs: $(VENV)/.installed-dev
	$(BIN)/cog -r README.md docs/webhooks.md

# The suite on SQLite; then on PostgreSQL when PRR_TEST_DATABASE_URL is set.
# The browser the end-to-end tests drive (Debian's chromium; installed when missing, as root).
chromium:
	scripts/ensure-chromium

# The LDAP server the LDAP sync tests start on 127.0.0.1 (Debian's slapd; installed when missing, as root).
slapd:
	scripts/ensure-slapd

# nginx, for `nginx -t` on contrib/nginx/prr.conf (Debian's nginx; installed when missing, as root).
nginx:
	scripts/ensure-nginx

pytest: $(VENV)/.installed-dev chromium slapd nginx
	rm -rf .test-data
	env -u PRR_DATABASE_URL PRR_DATA_DIR=$(CURDIR)/.test-data $(BIN)/pytest
	@if [ -n "$$PRR_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL"; \
		PRR_DATA_DIR=$(CURDIR)/.test-data PRR_DATABASE_URL="$$PRR_TEST_DATABASE_URL" $(BIN)/pytest; \
	else \
		echo "PRR_TEST_DATABASE_URL is not set: skipped the PostgreSQL run."; \
	fi

test: lint pytest

# Messages per second of post_message (SQLite, and PostgreSQL when PRR_TEST_DATABASE_URL is set),
# then the review page's render time and size as the channel grows, and the bytes of a live update;
# then the lists of reviews (dashboard, API, CLI) at 100 and 10,000 reviews; then message posts
# through the API on `prr serve --workers 4` at 1, 8 and 32 clients (SQLite and PostgreSQL).
bench: $(VENV)/.installed-dev
	env -u PRR_DATABASE_URL PRR_DATA_DIR=$(CURDIR)/.bench-data $(BIN)/python bench/post_message.py
	$(BIN)/python bench/review_page.py
	$(BIN)/python bench/live_updates.py
	env -u PRR_DATABASE_URL $(BIN)/python bench/scale.py
	env -u PRR_DATABASE_URL $(BIN)/python bench/http_load.py

# The README's screenshots (docs/screenshots/), taken in chromium from the demo data.
screenshots: $(VENV)/.installed-dev chromium
	env -u PRR_DATABASE_URL PRR_DATA_DIR=$(CURDIR)/.test-data PRR_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots \
		$(BIN)/pytest tests/e2e/test_screenshots.py

# prr's own review (docs/prr-review.md), made through the CLI from docs/prr-review/.
prr-review: $(VENV)/.installed-run
	scripts/prr-review

clean:
	rm -rf .demo-data .test-data .bench-data .mypy_cache .ruff_cache .hypothesis
