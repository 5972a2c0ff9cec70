"""Examples shown in the OpenAPI document, made from real answers.

* :func:`solve_200` — the 200 answer of ``POST /v1/solve``: a real result of the demo dataset,
  abridged (every list cut to its first ``KEEP`` items), checked in as ``solve-200-demo.json``.
  ``tests/test_openapi_examples.py`` solves the demo and checks that the example is the same result
  abridged; after a change to the model or its wording, regenerate it::

      python -m landquota.service.examples

* :data:`JOB_QUEUED` — a job as ``202`` shows it: queued, so neither started nor finished.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

KEEP = 2
"""Items kept of each list of the result (and of each list inside them)."""
FILE = "solve-200-demo.json"
VOLATILE = ("build_s", "solve_s", "extract_s", "elapsed_s", "total_s", "validate_s", "compile_s")
"""Timings: they differ from run to run (the consistency test ignores them)."""


def abridge(value: Any, keep: int = KEEP) -> Any:
    """``value`` with every list cut to its first ``keep`` items, at every depth."""
    if isinstance(value, dict):
        return {k: abridge(v, keep) for k, v in value.items()}
    if isinstance(value, list):
        return [abridge(v, keep) for v in value[:keep]]
    return value


@lru_cache(maxsize=1)
def solve_200() -> dict:
    """The checked-in abridged demo result."""
    return json.loads(resources.files(__package__).joinpath(FILE).read_text(encoding="utf-8"))


def demo_result() -> dict:
    """A real solve of the demo dataset as POST /v1/solve makes it: the job's scenario and options
    through the worker's own solve function, as JSON data."""
    from landquota.service.requests import resolve_request
    from landquota.service.worker import solve_payload

    scenario, options = resolve_request("demo", None, {"time_limit_s": 60.0})
    payload = {"scenario": scenario.model_dump(mode="json"),
               "options": {"time_limit_s": options.time_limit_s, "whole_projects": options.whole_projects,
                           "mip_rel_gap": options.mip_rel_gap, "duals": options.duals, "threads": 1}}
    return solve_payload(payload, lambda *_: None)


JOB_QUEUED = {
    "id": "4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a",
    "status": "queued",
    "scenario": "demo",
    "dataset": "demo",
    "options": {"time_limit_s": 60.0, "whole_projects": False, "mip_rel_gap": 0.0001, "duals": True},
    "progress": {"phase": "queued", "queue_position": 1, "lane": "small"},
    "timings": {"created_at": "2026-11-30T09:00:00.000000Z", "started_at": None, "finished_at": None,
                "queued_s": 0.01, "run_s": None},
    "attempts": 0,
    "error": None,
    "note": None,
    "result_status": None,
    "objective_cny_100m": None,
    "links": {"self": "/v1/jobs/4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a",
              "result": "/v1/jobs/4f7c0d2e9b8a4c1e8a6f3b2d1c0e9f8a/result"},
}
"""A job just accepted (what 202 answers): queued, not started, not finished, no result yet."""


def main() -> None:
    path = Path(__file__).with_name(FILE)
    path.write_text(json.dumps(abridge(demo_result()), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
