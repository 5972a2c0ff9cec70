# landquota: the HTTP service on the bundled datasets.
#   docker build -t landquota .
#   docker run -d --name landquota -p 8000:8000 -v landquota-data:/data landquota
#   docker exec landquota landquota keys create --scope solve     # prints an API key, once
# Bound to 0.0.0.0 in the container, so API keys are required (LANDQUOTA_AUTH defaults to on there).
# Every setting is a LANDQUOTA_* environment variable (README.md, "Operations"): docker run -e ...
#
# Stage 1 builds wheels for the project and its dependencies at the versions pinned in
# constraints.txt; stage 2 installs only those wheels (no compiler, no network) and runs as a
# non-root user. tests/test_container.py checks this file and runs its pip steps in a fresh venv.
# The base image is pinned to a patch release; pin its digest too (python:3.11.7-slim-bookworm@sha256:...)
# where your registry allows it.

FROM python:3.11.7-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md constraints.txt ./
COPY models ./models
COPY solvers ./solvers
COPY service ./service
COPY datasets ./datasets
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

FROM python:3.11.7-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LANDQUOTA_DATA_DIR=/data \
    LANDQUOTA_HOST=0.0.0.0 \
    LANDQUOTA_PORT=8000
COPY --from=build /wheels /wheels
COPY constraints.txt /tmp/constraints.txt
RUN pip install --no-cache-dir --no-index --find-links /wheels -c /tmp/constraints.txt landquota \
    && rm -rf /wheels /tmp/constraints.txt \
    && useradd --create-home --uid 10001 landquota \
    && mkdir -p /data && chown landquota:landquota /data
USER landquota
WORKDIR /home/landquota
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('LANDQUOTA_PORT', '8000'), timeout=4).status == 200 else 1)"
STOPSIGNAL SIGTERM
CMD ["landquota", "serve"]
