"""Helpers for the service tests (no tests here): a real uvicorn server in a thread (``ServerThread``)
or ``landquota serve`` in its own process (``Serve``), a scripted solve function for the workers, and
polling.

``scripted_solve`` must live in an importable module: the spawned worker processes import it by
name. It reads directives from the scenario's ``description`` (set with the override
``{"description": "block:/path"}``):

* ``block:<path>`` — wait while ``<path>`` exists (at most 120 s), then solve for real;
* ``raise`` — raise an exception (the job fails, the worker lives);
* ``crash`` — kill the worker process (the job is retried, then failed).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Callable

import httpx
import uvicorn

from landquota.service.app import create_app
from landquota.service.procs import free_port
from landquota.service.settings import Settings
from landquota.service.worker import solve_payload


def scripted_solve(payload: dict, progress) -> dict:
    for directive in str(payload["scenario"].get("description", "")).split(";"):
        if directive.startswith("block:"):
            progress("solving")
            path, t0 = directive[len("block:"):], time.monotonic()
            while os.path.exists(path) and time.monotonic() - t0 < 120:
                time.sleep(0.02)
        elif directive == "raise":
            raise RuntimeError("scripted failure")
        elif directive == "crash":
            os._exit(3)
    return solve_payload(payload, progress)


def settings_for(tmp_path, **kw) -> Settings:
    base = dict(data_dir=tmp_path, database_url=None, workers=1, poll_s=0.2, shutdown_grace_s=0.5, default_wait_s=10.0,
                auth="off", rate_limit_per_minute=0)  # tests poll fast; the rate limit has tests of its own
    base.update(kw)
    return Settings(**base)


class ServerThread:
    """``create_app(settings, solve_fn)`` served by uvicorn on a free loopback port, in a thread; entered
    once its solver workers are ready (``wait_ready``)."""

    def __init__(self, settings: Settings, solve_fn=scripted_solve, wait_ready: bool = True):
        self.app = create_app(settings, solve_fn)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(self.app, log_level="warning", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)
        self.wait_ready = wait_ready

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        wait_until(lambda: self.server.started, 60, "server start")
        self.client = httpx.Client(base_url=self.url, timeout=30)
        if self.wait_ready:  # /healthz says `starting` until every solver worker is ready
            wait_until(lambda: self.client.get("/healthz").json()["status"] != "starting", 60, "workers ready")
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(60)
        assert not self.thread.is_alive(), "server did not stop"
        self.sock.close()

    @property
    def service(self):
        return self.app.state.service


class Serve:
    """``landquota serve`` in a subprocess (``python -m service.cli serve``)."""

    def __init__(self, cwd: Path, workers: int, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        e = {k: v for k, v in os.environ.items() if not k.startswith("LANDQUOTA_")}
        e.update(env)
        self.log = open(cwd / f"serve-{self.port}.log", "w")
        self.proc = subprocess.Popen(  # its own session: a test may signal its whole process group (Ctrl-C)
            [sys.executable, "-m", "landquota.service.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(workers)], cwd=cwd, env=e, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def __enter__(self) -> "Serve":
        def up():
            assert self.proc.poll() is None, f"serve exited: {Path(self.log.name).read_text()}"
            try:
                return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(up, 60, "landquota serve", every=0.1)
        self.client = httpx.Client(base_url=self.url, timeout=30)
        return self

    def stop(self, sig: int = signal.SIGTERM, group: bool = False) -> bool:
        """Send ``sig`` (to the whole process group with ``group``, as Ctrl-C does); True if the service
        shut down cleanly (uvicorn re-raises the signal after a clean shutdown, so the exit status is
        0 or -sig)."""
        self.client.close()
        if group:
            os.killpg(self.proc.pid, sig)
        else:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(30)
        finally:
            self.log.close()
        return rc in (0, -sig) and "Application shutdown complete" in self.text()

    def text(self) -> str:
        """What the server has logged so far."""
        return Path(self.log.name).read_text()

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


def wait_until(cond: Callable[[], object], timeout: float = 30.0, what: str = "condition", every: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)


def poll_job(client: httpx.Client, job_id: str, statuses=("succeeded", "failed", "cancelled"), timeout=60.0,
             headers: dict | None = None) -> dict:
    """Poll GET /v1/jobs/{id} until its status is one of ``statuses``; return the last view."""
    last: dict = {}

    def done():
        nonlocal last
        r = client.get(f"/v1/jobs/{job_id}", headers=headers)
        assert r.status_code == 200, r.text
        last = r.json()
        return last["status"] in statuses

    wait_until(done, timeout, f"job {job_id} to reach {statuses} (last: {last.get('status')})")
    return last


def blocked(path) -> dict:
    """A demo request whose solve waits while ``path`` exists."""
    path.touch()
    return {"dataset": "demo", "overrides": {"description": f"block:{path}"}}
