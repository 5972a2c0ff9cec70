"""Batches and their variant results in the jobs database (SQLAlchemy; SQLite or PostgreSQL).

Every finished variant is written at once (one row per variant), so a batch interrupted by a
crash or a restart resumes from :meth:`BatchStore.done`: nothing finished is solved twice, and
nothing finished is lost.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Column, DateTime, Float, Integer, MetaData, String, Table, Text, delete, func, select, update
from sqlalchemy.engine import Engine

from landquota.service.db import make_engine

metadata = MetaData()

batches = Table(
    "batches", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("owner", String(64), nullable=True),
    Column("status", String(16), nullable=False),  # queued, running, succeeded, failed, cancelled
    Column("spec_json", Text, nullable=False),
    Column("backend", String(16), nullable=False),
    Column("total", Integer, nullable=False),
    Column("error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
)

batch_variants = Table(
    "batch_variants", metadata,
    Column("batch_id", String(36), primary_key=True),
    Column("name", String(300), primary_key=True),
    Column("ok", Integer, nullable=False),
    Column("row_json", Text, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=False),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class BatchStore:
    def __init__(self, url_or_engine: str | Engine):
        self.engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        metadata.create_all(self.engine, checkfirst=True)

    def create(self, name: str, spec_json: str, backend: str, total: int, owner: str | None = None,
               batch_id: str | None = None) -> str:
        bid = batch_id or str(uuid.uuid4())
        with self.engine.begin() as c:
            c.execute(batches.insert().values(
                id=bid, name=name, owner=owner, status="queued", spec_json=spec_json, backend=backend,
                total=total, created_at=_now()))
        return bid

    def get(self, batch_id: str) -> dict | None:
        with self.engine.connect() as c:
            row = c.execute(select(batches).where(batches.c.id == batch_id)).mappings().first()
            return dict(row) if row else None

    def set_status(self, batch_id: str, status: str, error: str | None = None) -> None:
        values: dict[str, Any] = {"status": status}
        if status == "running":
            values["started_at"] = _now()
        if status in ("succeeded", "failed", "cancelled"):
            values["finished_at"] = _now()
        if error is not None:
            values["error"] = error
        with self.engine.begin() as c:
            c.execute(update(batches).where(batches.c.id == batch_id).values(**values))

    def save(self, batch_id: str, row: dict) -> None:
        """Record one finished variant (idempotent: a re-run replaces its earlier row)."""
        with self.engine.begin() as c:
            c.execute(delete(batch_variants).where(
                (batch_variants.c.batch_id == batch_id) & (batch_variants.c.name == row["name"])))
            c.execute(batch_variants.insert().values(
                batch_id=batch_id, name=row["name"], ok=int(bool(row.get("ok"))), row_json=json.dumps(row),
                seconds=float(row.get("seconds", 0.0)), finished_at=_now()))

    def rows(self, batch_id: str) -> list[dict]:
        with self.engine.connect() as c:
            res = c.execute(select(batch_variants.c.row_json).where(batch_variants.c.batch_id == batch_id))
            return [json.loads(r[0]) for r in res]

    def done(self, batch_id: str) -> set[str]:
        with self.engine.connect() as c:
            res = c.execute(select(batch_variants.c.name).where(batch_variants.c.batch_id == batch_id))
            return {r[0] for r in res}

    def all(self, limit: int = 200, owner: Any = ...) -> list[dict]:
        """Newest first; ``owner`` (a key id, or None for anonymous) keeps only that owner's."""
        q = select(batches).order_by(batches.c.created_at.desc()).limit(limit)
        if owner is not ...:
            q = q.where(_owned(owner))
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(q).mappings()]

    def active(self, owner: str | None) -> int:
        """Batches of ``owner`` queued or running."""
        with self.engine.connect() as c:
            return c.execute(select(func.count()).select_from(batches).where(
                _owned(owner), batches.c.status.in_(("queued", "running")))).scalar_one()

    def unfinished(self) -> list[dict]:
        """Batches to resume after a restart."""
        with self.engine.connect() as c:
            res = c.execute(select(batches).where(batches.c.status.in_(("queued", "running")))
                            .order_by(batches.c.created_at)).mappings()
            return [dict(r) for r in res]

    def delete(self, batch_id: str) -> None:
        with self.engine.begin() as c:
            c.execute(delete(batch_variants).where(batch_variants.c.batch_id == batch_id))
            c.execute(delete(batches).where(batches.c.id == batch_id))


def _owned(owner: str | None):
    return batches.c.owner.is_(None) if owner is None else batches.c.owner == owner
