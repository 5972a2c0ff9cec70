"""``landquota serve``: run the API with uvicorn.

One uvicorn process serves HTTP; ``workers`` solver processes (default: one per CPU core) solve.
Settings come from ``LANDQUOTA_*`` environment variables (``service.settings``); ``--host``,
``--port`` and ``--workers`` override ``LANDQUOTA_HOST``, ``LANDQUOTA_PORT`` and
``LANDQUOTA_WORKERS``. Unless ``LANDQUOTA_AUTH`` says otherwise, API keys are required when the
address is not a loopback one. The bundled datasets (``china-2020`` when present) are validated at
start-up, before the first request is served.
"""

from __future__ import annotations

import ipaddress
import logging
import sys

import uvicorn
from pydantic import ValidationError

from landquota.service.app import create_app
from landquota.service.settings import Settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def run(host: str | None = None, port: int | None = None, workers: int | None = None) -> int:
    """Serve until interrupted (Ctrl-C or SIGTERM: running solves get LANDQUOTA_SHUTDOWN_GRACE_S to
    finish, then are re-queued for the next start). Returns the exit status."""
    overrides = {k: v for k, v in (("host", host), ("port", port), ("workers", workers)) if v is not None}
    try:
        settings = Settings(**overrides)
    except ValidationError as e:
        print(f"landquota serve: invalid setting: {e}", file=sys.stderr)
        return 2
    if settings.auth is None:
        settings.auth = "off" if is_loopback(settings.host) else "on"
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    access = ("API keys required" if settings.auth == "on"
              else "anonymous access allowed (LANDQUOTA_AUTH=off)")
    print(f"landquota: http://{settings.host}:{settings.port}/docs  (database {settings.db_url.split('@')[-1]}, "
          f"{settings.worker_count} solver worker(s), {access})", flush=True)
    if settings.auth == "on" and not _any_active_key(settings):
        print("landquota: no API key yet: make one with `landquota keys create --scope solve` (same environment)",
              flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", timeout_graceful_shutdown=5)
    return 0


def _any_active_key(settings: Settings) -> bool:
    from landquota.service.auth import KeyStore
    from landquota.service.db import make_engine

    try:
        engine = make_engine(settings.db_url)
    except Exception:  # the service reports the database itself when it starts
        return True
    try:
        return any(k.revoked_at is None for k in KeyStore(engine).list())
    finally:
        engine.dispose()
