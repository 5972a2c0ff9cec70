"""The effective scenario as a file anyone can re-solve: canonical JSON bytes and their SHA-256.

``landquota solve --out DIR`` writes these bytes to ``DIR/scenario.json`` (the scenario after every
``--set`` override, with every default filled in) and the result carries their SHA-256 in
``stats.scenario_sha256``, so a result can be audited on its own: ``landquota solve --dataset
DIR/scenario.json`` loads the same scenario and reaches the same optimum, and the checksum says the
file is the one that was solved (issue 13, item 6). ``GET /v1/jobs/{id}/scenario`` can serve
``scenario_bytes(load_scenario(job payload))`` as ``application/json``.

Canonical form: the scenario's JSON data (pydantic ``model_dump(mode="json")``), keys sorted, UTF-8
without escapes, one space of indent, a final newline. The same scenario always gives the same
bytes, and loading the file and writing it again gives them back.
"""

from __future__ import annotations

import hashlib
import json

from landquota.models.scenario import Scenario


def scenario_bytes(scenario: Scenario) -> bytes:
    """The canonical JSON bytes of a validated scenario (see the module docstring)."""
    data = scenario.model_dump(mode="json")
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, allow_nan=False) + "\n").encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def scenario_sha256(scenario: Scenario) -> str:
    """SHA-256 (hex) of :func:`scenario_bytes`."""
    return sha256_hex(scenario_bytes(scenario))
