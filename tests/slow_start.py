"""A solve function whose module takes a while to import: a solver worker that uses it is ready only
after ``DELAY_S`` seconds, so a test sees /healthz say ``starting`` for that long (no test here)."""

import time

from landquota.service.worker import solve_payload

DELAY_S = 3.0
time.sleep(DELAY_S)


def solve(payload: dict, progress) -> dict:
    return solve_payload(payload, progress)
