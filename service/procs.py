"""Process and port helpers shared by the service, its tests and the benchmarks (one copy of each).

* :func:`exit_with_parent`: a child process (solver worker, batch pool worker) exits by itself when
  its parent goes away, even by SIGKILL, instead of solving on as an orphan;
* :func:`free_port`: a free TCP port on the loopback address, for a server started by a test or a
  benchmark.
"""

from __future__ import annotations

import os
import socket
import threading
import time


def exit_with_parent(every_s: float = 1.0) -> threading.Thread:
    """Start a daemon thread that ends this process (``os._exit(0)``) once its parent has changed,
    checked every ``every_s`` seconds. Nothing else is needed from the parent: a SIGKILL of the
    parent leaves it no time to stop its children, so they watch it."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every_s)
        os._exit(0)

    t = threading.Thread(target=watch, name="exit-with-parent", daemon=True)
    t.start()
    return t


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` now (the system picks it; another process may take it before it is
    used, which is good enough for a test server on loopback)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
