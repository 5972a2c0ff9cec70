# landquota: the HTTP service on the bundled datasets.
#   docker build -t landquota . && docker run -p 8000:8000 -v landquota-data:/data landquota
# Stage 1 builds wheels for the project and its pinned dependencies; stage 2 installs only those.
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
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["landquota", "serve", "--host", "0.0.0.0", "--port", "8000"]
