"""The tables (jobs, API keys, batches) and the database engine (SQLAlchemy 2 ORM, declarative
``Mapped`` columns, one style for every table; SQLite by default, PostgreSQL by URL).

One row per job: the API key that owns it, its request as sent, the validated scenario it runs (so
a re-run after a restart solves exactly what was accepted, whatever happens to the bundled datasets
meanwhile), its options, its life (status, timestamps, attempts, error) and its result. The large
columns are deferred so a status poll never loads them. One row per API key: its public id, scopes
and the SHA-256 of the key (the key itself is never stored).

A database made by an earlier version gains the new columns at start-up (``_upgrade``).
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Integer, String, Text, create_engine, event, inspect, text
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
    owner: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    """Id of the API key that submitted it; null = anonymous (LANDQUOTA_AUTH=off)."""
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
    size_columns: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Estimated LP columns, (projects + city units) × years: what decides the job's lane
    (service.jobs.Lanes); null (a job from an earlier version) counts as small."""
    request: Mapped[dict] = mapped_column(JSON, deferred=True)
    scenario: Mapped[dict] = mapped_column(JSON, deferred=True)
    result: Mapped[dict | None] = mapped_column(JSON, deferred=True)


class ApiKeyRow(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """Public id (shown by `landquota keys list`, used to revoke; owner of the key's jobs)."""
    key_sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[str] = mapped_column(String(200))
    """Space-separated: read, solve, admin."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BatchRow(Base):
    """A batch of what-if variants (service.batches): its spec as sent, its life, its owner."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    """Public id: 32 hex digits like a job's (batches of earlier versions: a dashed UUID)."""
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16))
    """queued, running, succeeded, failed, cancelled."""
    spec_json: Mapped[str] = mapped_column(Text)
    backend: Mapped[str] = mapped_column(String(16))
    total: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BatchVariantRow(Base):
    """One finished variant of a batch (written as it finishes: what a resumed batch skips)."""

    __tablename__ = "batch_variants"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    ok: Mapped[int] = mapped_column(Integer)
    row_json: Mapped[str] = mapped_column(Text)
    seconds: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def new_id() -> str:
    """A new job or batch id: 32 lowercase hex digits (a random UUID, unguessable). Batches made by
    earlier versions keep their dashed ids, which stay readable."""
    return uuid.uuid4().hex


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


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (plain, or ``sqlite:///file:PATH?mode=ro&uri=true``); None otherwise."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    db = u.database
    if u.query.get("uri") == "true" and db.startswith("file:"):
        db = db[len("file:"):].split("?")[0]
        if db in ("", ":memory:") or u.query.get("mode") == "memory":
            return None
    return Path(db)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; for SQLite, create the file's directory and use WAL so readers never
    block the writer. Creates missing tables and columns (never drops or changes any)."""
    u = make_url(url)
    kwargs: dict[str, Any] = {"json_serializer": _dumps, "pool_pre_ping": True}
    sqlite = u.get_backend_name() == "sqlite"
    if sqlite:
        path = sqlite_path(url)
        if path is not None and u.query.get("mode") != "ro":
            path.parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if sqlite:

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            if u.query.get("mode") != "ro":  # a read-only connection cannot change the journal mode
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

    if _missing(engine):
        Base.metadata.create_all(engine)
        _upgrade(engine)
    return engine


_ADDED_COLUMNS = {"jobs": ("owner", "size_columns")}
"""Columns added after a table was first released: (table -> columns), added by ``_upgrade``."""


def _missing(engine: Engine) -> bool:
    """Whether a table or an added column is missing (a read-only database that has them all starts)."""
    insp = inspect(engine)
    tables = set(insp.get_table_names())
    if not set(Base.metadata.tables) <= tables:
        return True
    return any(c not in {x["name"] for x in insp.get_columns(t)} for t, cols in _ADDED_COLUMNS.items() for c in cols)


def _upgrade(engine: Engine) -> None:
    """Add the columns a database made by an earlier version lacks (nullable: old rows keep null)."""
    insp = inspect(engine)
    for table, cols in _ADDED_COLUMNS.items():
        have = {x["name"] for x in insp.get_columns(table)}
        for name in cols:
            if name in have:
                continue
            col = Base.metadata.tables[table].c[name]
            ddl = col.type.compile(dialect=engine.dialect)
            with engine.begin() as c:
                c.execute(text(f'ALTER TABLE {table} ADD COLUMN "{name}" {ddl}'))
                if col.index:
                    c.execute(text(f'CREATE INDEX IF NOT EXISTS ix_{table}_{name} ON {table} ("{name}")'))
