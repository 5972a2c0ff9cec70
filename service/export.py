"""CSV, written in one place: result tables (API and CLI) and batch comparison tables.

:func:`csv_text` / :func:`write_csv` write rows under given columns (a dict or list cell as JSON).
:func:`table_csv` is one table of a result: the tables are ``solvers.result.TABLES``, and each
table's columns come from the row model that ``solvers.result.Result`` declares for it, so a table
added to the result (and to ``TABLES``) is exported with no change here.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO, get_args

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


def _write(f: TextIO, rows: Iterable[Any], fields: list[str]) -> None:
    w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        r = r.model_dump(mode="json") if isinstance(r, BaseModel) else r
        w.writerow({k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for k, v in r.items()})


def csv_text(rows: Iterable[Any], fields: list[str]) -> str:
    """``rows`` (dicts or pydantic models) as CSV text under the columns ``fields`` (others ignored)."""
    buf = io.StringIO()
    _write(buf, rows, fields)
    return buf.getvalue()


def write_csv(rows: Iterable[Any], fields: list[str], path: Path) -> None:
    """The same, written to ``path`` (UTF-8)."""
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        _write(f, rows, fields)


def table_csv(result: dict, table: str) -> str:
    """One table of a result (JSON data) as CSV, under its row model's columns."""
    if table not in TABLES:
        raise KeyError(table)
    rows = result.get(table) or []
    return csv_text(rows, row_fields(table, rows))
