# Everything bootstraps from nothing but python3 (>= 3.11) and make.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest test-lowest schema bench clean compiled test-compiled test-compiled-ci

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,beam]"
	touch $(STAMP)

## demo: simulate a fest on the bundled pack and write a report
demo: $(STAMP)
	$(BIN)/festengine simulate missions/community-fest --viewers 6000 --creators 120 --days 21 --seed 7 --out build/demo

## test: lint, type-check and run the whole test suite
test: lint typecheck pytest test-adapters

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

## pytest: the suite on every core (pytest-xdist; each test gets its own temporary folder, no test
## uses a fixed port or a shared file), the tests spread as workers free up; PYTEST_WORKERS=0 runs it
## in one process, PYTEST_ARGS adds options (e.g. PYTEST_ARGS="--durations=30")
PYTEST_WORKERS ?= auto
PYTEST_ARGS ?=
PYTEST_RUN = -q -p no:cacheprovider -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)
pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_RUN)

## test-lowest: the tests against the lowest version pyproject.toml allows of every dependency,
## with festengine installed from its wheel (not editable), as users get it; the tests marked slow (the
## crash test, the bounded-memory reader, mypy over outcomes) check festengine's own logic the same way
## whatever the dependencies' versions, so they run in `make test` only, keeping CI within its budget
LOWEST := .venv-lowest
$(LOWEST)/.installed: pyproject.toml .ci/lowest_pins.py
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet --upgrade pip
	$(PYTHON) .ci/lowest_pins.py pyproject.toml > $(LOWEST)/constraints.txt
	$(LOWEST)/bin/python -m pip install --quiet -c $(LOWEST)/constraints.txt ".[dev]"
	touch $@

test-lowest: $(LOWEST)/.installed
	$(LOWEST)/bin/python -m pip install --quiet --no-deps --force-reinstall .
	$(LOWEST)/bin/python -c 'import festengine; print("testing", festengine.__file__)'
	grep -v '^#' $(LOWEST)/constraints.txt | tr '\n' ' '; echo
	$(LOWEST)/bin/pytest $(PYTEST_RUN) -m "not slow"

## schema: regenerate docs/fest.schema.json (the shipped schema) from the pack model
schema: $(STAMP)
	$(BIN)/python -c 'import json; from festengine.catalog.schema import fest_json_schema as s; print(json.dumps(s(), indent=2))' > docs/fest.schema.json

## test-adapters: install the TikTok LIVE adapter next to the core; lint, type-check and test it
.PHONY: test-adapters
ADAPTER_BIN := $(abspath $(BIN))
test-adapters: $(STAMP)
	$(BIN)/python -m pip install --quiet -e adapters/tiktoklive
	cd adapters/tiktoklive && $(ADAPTER_BIN)/ruff check . && $(ADAPTER_BIN)/ruff format --check . \
		&& $(ADAPTER_BIN)/mypy && $(ADAPTER_BIN)/pytest -q -p no:cacheprovider

## compiled: the optional compiled build: the modules listed in .ci/compiled_modules.txt compiled with mypyc
## (it ships with mypy) from a copy of src/ in build/compiled, into .venv-compiled, where festengine is
## installed from its wheel; .venv stays pure Python, the default. Needs a C compiler and Python's headers.
COMPILED := .venv-compiled
COMPILED_SRC := build/compiled
COMPILED_MODULES = $(shell sed -e 's/[#].*//' .ci/compiled_modules.txt)
COMPILED_PY := $(abspath $(COMPILED))/bin/python
COMPILED_SITE = $$($(COMPILED_PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
$(COMPILED)/.installed: pyproject.toml
	rm -rf $(COMPILED)
	$(PYTHON) -m venv $(COMPILED)
	$(COMPILED)/bin/python -m pip install --quiet --upgrade pip
	$(COMPILED)/bin/python -m pip install --quiet ".[dev]" setuptools
	touch $@

$(COMPILED)/.compiled: $(COMPILED)/.installed .ci/compiled_modules.txt $(shell find src -name '*.py')
	$(COMPILED)/bin/python -m pip install --quiet --no-deps --force-reinstall .
	find $(COMPILED_SITE)/festengine -name '*.so' -delete
	# the shared library of the last build (its name is a hash; mypy's own sits next to it)
	touch $(COMPILED)/shared-libraries.txt && cd $(COMPILED_SITE) && rm -f $$(cat $(abspath $(COMPILED))/shared-libraries.txt)
	rm -rf $(COMPILED_SRC) && mkdir -p $(COMPILED_SRC) && cp -r src/festengine $(COMPILED_SRC)/
	cd $(COMPILED_SRC) && $(abspath $(COMPILED))/bin/mypyc --config-file $(abspath pyproject.toml) $(COMPILED_MODULES)
	cd $(COMPILED_SRC) && ls *.so > $(abspath $(COMPILED))/shared-libraries.txt && cp *.so $(COMPILED_SITE) \
		&& find festengine -name '*.so' -exec cp --parents {} $(COMPILED_SITE) \;
	$(COMPILED)/bin/python .ci/check_compiled.py
	touch $@

compiled: $(COMPILED)/.compiled

## test-compiled: the whole suite against the compiled build; COMPILED_TESTS names a part of it instead
## (CI runs the tests of the compiled packages, COMPILED_CI_TESTS, when .venv-compiled exists)
COMPILED_TESTS ?=
COMPILED_CI_TESTS := tests/engine tests/economy tests/social tests/test_benchmark.py
test-compiled: $(COMPILED)/.compiled
	$(COMPILED)/bin/python .ci/check_compiled.py
	$(COMPILED)/bin/pytest $(PYTEST_RUN) $(COMPILED_TESTS)

test-compiled-ci: $(COMPILED)/.compiled
	$(MAKE) test-compiled COMPILED_TESTS="$(COMPILED_CI_TESTS)"

## bench: the engine benchmark at its full size; with the compiled build too once it exists (make compiled)
bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py $(if $(wildcard $(COMPILED)/.compiled),--compiled-python $(COMPILED)/bin/python)

clean:
	rm -rf $(VENV) $(LOWEST) $(COMPILED) build .mypy_cache .ruff_cache .pytest_cache
