"""Result tables as CSV: one row per table row, the columns of the table's row model.

The tables are ``solvers.result.TABLES``, and each table's columns come from the row model that
``solvers.result.Result`` declares for it, so a table added to the result (and to ``TABLES``)
is exported with no change here. Mirrors ``service.cli.write_csv``.
"""

from __future__ import annotations

import csv
import io
import json
from typing import get_args

from pydantic import BaseModel

from landquota.solvers.result import TABLES, Result


def row_fields(table: str, rows: list[dict]) -> list[str]:
    """Column names: the row model's fields, else the keys the rows have, in order of appearance."""
    field = Result.model_fields.get(table)
    for arg in get_args(field.annotation) if field else ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return list(arg.model_fields)
    seen: dict[str, None] = {}
    for r in rows:
        seen.update(dict.fromkeys(r))
    return list(seen)


def table_csv(result: dict, table: str) -> str:
    if table not in TABLES:
        raise KeyError(table)
    rows = result.get(table) or []
    fields = row_fields(table, rows)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v
                    for k, v in r.items()})
    return buf.getvalue()
