"""The job table and the database engine (SQLAlchemy 2; SQLite by default, PostgreSQL by URL).

One row per job: its request as sent, the validated scenario it runs (so a re-run after a restart
solves exactly what was accepted, whatever happens to the bundled datasets meanwhile), its options,
its life (status, timestamps, attempts, error) and its result. The large columns are deferred so a
status poll never loads them.
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")
FINISHED = ("succeeded", "failed", "cancelled")


class Base(DeclarativeBase):
    pass


class JobRow(Base):
    __tablename__ = "jobs"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    """Submission order (the queue order)."""
    id: Mapped[str] = mapped_column(String(36), unique=True, index=True)
    """Public, unguessable id (uuid4 hex)."""
    status: Mapped[str] = mapped_column(String(16), index=True)
    scenario_name: Mapped[str] = mapped_column(String(200))
    dataset: Mapped[str | None] = mapped_column(String(100))
    options: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    result_status: Mapped[str | None] = mapped_column(String(16))
    objective_cny_100m: Mapped[float | None] = mapped_column(Float)
    request: Mapped[dict] = mapped_column(JSON, deferred=True)
    scenario: Mapped[dict] = mapped_column(JSON, deferred=True)
    result: Mapped[dict | None] = mapped_column(JSON, deferred=True)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(t: datetime | None) -> datetime | None:
    """SQLite hands timestamps back naive; they were written in UTC."""
    if t is None or t.tzinfo is not None:
        return t
    return t.replace(tzinfo=timezone.utc)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def finite(obj: Any) -> Any:
    """The same JSON data with NaN and ±inf replaced by null (neither JSON nor PostgreSQL allows them)."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite, create the file's directory and use WAL so readers never
    block the writer."""
    u = make_url(url)
    kwargs: dict[str, Any] = {"json_serializer": _dumps, "pool_pre_ping": True}
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if u.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    Base.metadata.create_all(engine)
    return engine
