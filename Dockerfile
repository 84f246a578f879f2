# syntax=docker/dockerfile:1
# LedgerBridge gateway image.
#   docker build -t ledgerbridge:0.1.0 .
#   docker run --rm -p 8080:8080 -e REDIS_URL=redis://redis:6379/0 \
#     -e LEDGERBRIDGE_MASTER_KEY="$(openssl rand -base64 32)" ledgerbridge:0.1.0
# uv is the version run.py pins (UV_VERSION). Builder: resolve exactly what uv.lock pins (no dev dependencies) into /app/.venv, then install the project.
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim-bookworm AS builder
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /uvx /bin/
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Dependencies first, in their own layer: it is rebuilt only when uv.lock or pyproject.toml change.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY README.md ./
COPY gateway ./gateway
COPY connectors ./connectors
COPY schemas ./schemas
# The project itself as a wheel (not editable), so the runtime stage needs no source tree.
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-editable

# Runtime: the same Python, the venv, a non-root user; nothing else.
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
RUN groupadd --system --gid 10001 ledgerbridge \
 && useradd --system --uid 10001 --gid ledgerbridge --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin ledgerbridge
COPY --from=builder /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status != 200)"]
ENTRYPOINT ["ledgerbridge"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
