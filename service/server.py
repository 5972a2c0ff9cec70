"""``landquota serve``: run the API with uvicorn.

One uvicorn process serves HTTP; ``workers`` solver processes (default: one per CPU core) solve.
Settings come from ``LANDQUOTA_*`` environment variables (``service.settings``); ``--workers``
overrides ``LANDQUOTA_WORKERS``. The bundled datasets (``china-2020`` when present) are validated
at start-up, before the first request is served.
"""

from __future__ import annotations

import logging
import sys

import uvicorn
from pydantic import ValidationError

from service.app import create_app
from service.settings import Settings


def run(host: str = "127.0.0.1", port: int = 8000, workers: int | None = None) -> int:
    """Serve until interrupted (Ctrl-C or SIGTERM: running solves get LANDQUOTA_SHUTDOWN_GRACE_S to
    finish, then are re-queued for the next start). Returns the exit status."""
    try:
        settings = Settings() if workers is None else Settings(workers=workers)
    except ValidationError as e:
        print(f"landquota serve: invalid setting: {e}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    print(f"landquota: http://{host}:{port}/docs  (database {settings.db_url.split('@')[-1]}, "
          f"{settings.worker_count} solver worker(s))", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=5)
    return 0
