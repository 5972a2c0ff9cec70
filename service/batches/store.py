"""Batches and their variant results in the service's database (``db.BatchRow``, ``db.BatchVariantRow``).

Every finished variant is written at once (one row per variant), so a batch interrupted by a
crash or a restart resumes from :meth:`BatchStore.done`: nothing finished is solved twice, and
nothing finished is lost.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from landquota.service.db import BatchRow, BatchVariantRow, make_engine, new_id, utcnow

_COLUMNS = [c for c in BatchRow.__table__.columns]


class BatchStore:
    def __init__(self, url_or_engine: str | Engine):
        self.engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        self._session = sessionmaker(self.engine, expire_on_commit=False)

    def create(self, name: str, spec_json: str, backend: str, total: int, owner: str | None = None,
               batch_id: str | None = None) -> str:
        bid = batch_id or new_id()
        with self._session.begin() as s:
            s.add(BatchRow(id=bid, name=name, owner=owner, status="queued", spec_json=spec_json, backend=backend,
                           total=total, created_at=utcnow()))
        return bid

    def get(self, batch_id: str) -> dict | None:
        with self._session() as s:
            row = s.execute(select(*_COLUMNS).where(BatchRow.id == batch_id)).mappings().first()
            return dict(row) if row else None

    def set_status(self, batch_id: str, status: str, error: str | None = None) -> None:
        values: dict[str, Any] = {"status": status}
        if status == "running":
            values["started_at"] = utcnow()
        if status in ("succeeded", "failed", "cancelled"):
            values["finished_at"] = utcnow()
        if error is not None:
            values["error"] = error
        with self._session.begin() as s:
            s.execute(update(BatchRow).where(BatchRow.id == batch_id).values(**values))

    def save(self, batch_id: str, row: dict) -> None:
        """Record one finished variant (idempotent: a re-run replaces its earlier row)."""
        with self._session.begin() as s:
            s.execute(delete(BatchVariantRow).where(BatchVariantRow.batch_id == batch_id,
                                                    BatchVariantRow.name == row["name"]))
            s.add(BatchVariantRow(batch_id=batch_id, name=row["name"], ok=int(bool(row.get("ok"))),
                                  row_json=json.dumps(row), seconds=float(row.get("seconds", 0.0)),
                                  finished_at=utcnow()))

    def rows(self, batch_id: str) -> list[dict]:
        with self._session() as s:
            return [json.loads(r) for r in s.scalars(select(BatchVariantRow.row_json)
                                                     .where(BatchVariantRow.batch_id == batch_id))]

    def progress(self, batch_id: str) -> tuple[int, int]:
        """(variants finished, of which failed), counted in the database (no row is loaded)."""
        with self._session() as s:
            done, ok = s.execute(select(func.count(), func.coalesce(func.sum(BatchVariantRow.ok), 0))
                                 .where(BatchVariantRow.batch_id == batch_id)).one()
            return int(done), int(done) - int(ok)

    def done(self, batch_id: str) -> set[str]:
        with self._session() as s:
            return set(s.scalars(select(BatchVariantRow.name).where(BatchVariantRow.batch_id == batch_id)))

    def all(self, limit: int = 200, owner: Any = ..., *, offset: int = 0, status: str | None = None) -> list[dict]:
        """Newest first; ``owner`` (a key id, or None for anonymous) keeps only that owner's."""
        q = select(*_COLUMNS).order_by(BatchRow.created_at.desc()).limit(limit).offset(offset)
        if owner is not ...:
            q = q.where(_owned(owner))
        if status:
            q = q.where(BatchRow.status == status)
        with self._session() as s:
            return [dict(r) for r in s.execute(q).mappings()]

    def active(self, owner: str | None) -> int:
        """Batches of ``owner`` queued or running."""
        with self._session() as s:
            return s.scalar(select(func.count()).select_from(BatchRow).where(
                _owned(owner), BatchRow.status.in_(("queued", "running"))))

    def unfinished(self) -> list[dict]:
        """Batches to resume after a restart."""
        with self._session() as s:
            q = select(*_COLUMNS).where(BatchRow.status.in_(("queued", "running"))).order_by(BatchRow.created_at)
            return [dict(r) for r in s.execute(q).mappings()]

    def delete(self, batch_id: str) -> None:
        with self._session.begin() as s:
            s.execute(delete(BatchVariantRow).where(BatchVariantRow.batch_id == batch_id))
            s.execute(delete(BatchRow).where(BatchRow.id == batch_id))


def _owned(owner: str | None):
    return BatchRow.owner.is_(None) if owner is None else BatchRow.owner == owner
