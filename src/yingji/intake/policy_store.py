"""The merge policy in the database: read (cached per process), replaced by an admin, audited.

The writer asks for the policy once per batch; the stored revision is read at most once a
second (``CHECK_INTERVAL_S``), so another process's save is followed within a second and this
process's own save at once (the cache is dropped in the saving transaction's process).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.cache import CACHE
from yingji.core.errors import ApiError, validation_items
from yingji.intake import policy as rules
from yingji.intake.models import MergePolicyRow

CHECK_INTERVAL_S = 1.0
_ROW_ID = 1


_SLOT = "intake.merge_policy"


def current(db: Session) -> rules.MergePolicy:
    """The policy in force (compiled), for the writer: the admin's if saved, else shipped.
    Served from the shared per-database cache (core.cache), its revision confirmed at most
    once a second."""
    entry = CACHE.peek(db, _SLOT)
    if entry is not None and time.monotonic() - entry.checked_at_s < CHECK_INTERVAL_S:
        return entry.value
    revision = db.execute(
        select(MergePolicyRow.revision).where(MergePolicyRow.id == _ROW_ID)
    ).scalar_one_or_none()
    revision = revision or 0
    return CACHE.get(
        db,
        _SLOT,
        lambda: rules.compile_policy(_stored_doc(db) if revision else rules.shipped_doc()),
        version=revision,
    )


def _stored_doc(db: Session) -> rules.MergePolicyDoc:
    row = db.get(MergePolicyRow, _ROW_ID)
    assert row is not None
    return rules.MergePolicyDoc.model_validate(row.document)


def read(db: Session) -> dict[str, Any]:
    """The policy in force as ``MergePolicyRead``."""
    row = db.get(MergePolicyRow, _ROW_ID)
    if row is None:
        return {
            "source": "shipped",
            "revision": 0,
            "updated_at": None,
            "updated_by": None,
            "policy": rules.shipped_doc().model_dump(),
        }
    return {
        "source": "database",
        "revision": row.revision,
        "updated_at": row.updated_at,
        "updated_by": row.updated_by,
        "policy": rules.MergePolicyDoc.model_validate(row.document).model_dump(),
    }


def validate(raw: Any) -> rules.MergePolicyDoc:
    """An admin's policy, validated, or the platform's error (nothing is changed)."""
    try:
        return rules.MergePolicyDoc.model_validate(raw)
    except ValidationError as exc:
        items = validation_items(exc.errors())
        first = items[0] if items else {}
        raise ApiError(
            422,
            "invalid_merge_policy",
            f"合并规则无效：{first.get('message', '')}",
            f"Invalid merge policy: {first.get('message_en', '')}",
            field=first.get("field"),
            errors=items,
        ) from None


def replace(
    db: Session, doc: rules.MergePolicyDoc, *, actor: audit.Actor, reason: str, now: datetime
) -> dict[str, Any]:
    """Save ``doc`` as the policy in force (audited in the same transaction)."""
    before = read(db)
    row = db.get(MergePolicyRow, _ROW_ID)
    document = doc.model_dump(mode="json")
    if row is None:
        row = MergePolicyRow(id=_ROW_ID, document=document, revision=1, updated_at=now,
                             updated_by=actor.name or actor.id)  # fmt: skip
        db.add(row)
    else:
        row.document = document
        row.revision += 1
        row.updated_at = now
        row.updated_by = actor.name or actor.id
    db.flush()
    audit.record(
        db,
        actor=actor,
        action="intake.merge_policy.replace",
        object_type="intake_merge_policy",
        object_id=_ROW_ID,
        before={"revision": before["revision"], "policy": before["policy"]},
        after={"revision": row.revision, "policy": document},
        reason=reason or None,
    )
    forget()
    return read(db)


def forget() -> None:
    """Drop the cached policy: the next batch reads the stored one."""
    CACHE.clear(_SLOT)
