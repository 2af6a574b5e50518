"""Media: resumable uploads checked by content, stored behind an :class:`ObjectStore`.

The life of an upload (the shape of tus, the resumable-upload protocol, in three plain
calls): ``create`` declares the name, the size and the SHA-256; ``put_chunk`` writes bytes
at the offset received so far (a chunk at any other offset is a 409 naming the right one,
so a client that lost an answer asks the status and carries on); ``complete`` checks the
checksum, sniffs the type from the bytes, reads an image's size or a recording's duration,
applies the kind's limits, stores the object and a thumbnail, and records the media row.
An upload left open past its time is dropped by a scheduler timer with its bytes.

Other domains keep a media id (an alarm's photos, a hazard's pictures) and read the media
through :func:`get` and :func:`read`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.cache import database_key
from yingji.core.db import Database
from yingji.core.errors import ApiError, conflict, forbidden, invalid, not_found
from yingji.media import kinds, probe
from yingji.media.config import MediaSettings
from yingji.media.kinds import Limits, MediaKind, Refusal
from yingji.media.models import MediaObject, MediaUpload
from yingji.media.store import DiskStore, ObjectStore
from yingji.scheduling import timers
from yingji.scheduling.models import Timer

EXPIRE = "media_upload_expire"
THUMBNAIL_SUFFIX = ".thumb.jpg"


@dataclass(frozen=True)
class Owner:
    """Who uploads, and the territory their media belongs to (None: district-wide)."""

    actor: audit.Actor
    territory: str | None

    @property
    def key(self) -> str:
        return f"{self.actor.type}:{self.actor.id}"[:100]


def limits_of(settings: MediaSettings) -> Limits:
    return Limits(
        max_bytes={
            MediaKind.image: settings.max_image_bytes,
            MediaKind.audio: settings.max_audio_bytes,
            MediaKind.video: settings.max_video_bytes,
            MediaKind.document: settings.max_document_bytes,
        },
        max_duration_s={
            MediaKind.audio: settings.max_audio_s,
            MediaKind.video: settings.max_video_s,
        },
        max_image_pixels=settings.max_image_pixels,
    )


def _refused(r: Refusal, field: str = "file") -> ApiError:
    item = {"field": field, "code": r.code, "message": r.message, "message_en": r.message_en}
    return ApiError(r.status, r.code, r.message, r.message_en, field=field, errors=[item])


# ------------------------------------------------------------------ upload sessions
def create_upload(
    db: Session, *, filename: str, size_bytes: int, sha256: str, owner: Owner,
    settings: MediaSettings, now: datetime,
) -> MediaUpload:  # fmt: skip
    """Open an upload session; its expiry is a timer on the shared scheduler."""
    largest = max(limits_of(settings).max_bytes.values())
    if size_bytes > largest:
        raise _refused(
            Refusal(413, "media_too_large", f"文件过大（上限 {largest} 字节）",
                    f"The file is too large (limit {largest} bytes)"),
            "size_bytes",
        )  # fmt: skip
    up = MediaUpload(
        filename=filename, size_bytes=size_bytes, sha256=sha256.lower(), received_bytes=0,
        status="open", refusal="", subdistrict_code=owner.territory, created_by=owner.key,
        created_at=now, updated_at=now, expires_at=now + timedelta(seconds=settings.upload_ttl_s),
    )  # fmt: skip
    db.add(up)
    db.flush()
    timers.schedule(db, kind=EXPIRE, ref_id=up.id, due_at=up.expires_at)
    audit.record(
        db, actor=owner.actor, action="media_upload:create", object_type="media_upload",
        object_id=up.id, after=audit.snapshot(up),
    )  # fmt: skip
    return up


def get_upload(db: Session, upload_id: int, owner: Owner) -> MediaUpload:
    """The caller's own upload session (another caller's is as if it did not exist)."""
    up = db.get(MediaUpload, upload_id)
    if up is None or up.created_by != owner.key:
        raise not_found("上传会话", "Upload", field="upload_id")
    return up


def _require_open(up: MediaUpload) -> None:
    if up.status != "open":
        raise conflict(
            "upload_closed", f"上传会话已结束（{up.status}）",
            f"The upload is no longer open ({up.status})", "upload_id",
        )  # fmt: skip


def put_chunk(
    db: Session, store: DiskStore, *, up: MediaUpload, offset: int, data: bytes,
    settings: MediaSettings, now: datetime,
) -> MediaUpload:  # fmt: skip
    """Write ``data`` at ``offset`` — which must be the bytes received so far.

    The conditional UPDATE comes first: it holds the session's row (PostgreSQL's row lock,
    SQLite's one writer) until the caller commits, so two PUTs of one upload never write
    the file at once; the loser sees the offset moved and gets a 409.
    """
    _require_open(up)
    if not data:
        raise invalid("body", "分片不能为空", "A chunk cannot be empty", "chunk_empty")
    if len(data) > settings.chunk_max_bytes:
        raise ApiError(
            413, "chunk_too_large", f"分片过大（上限 {settings.chunk_max_bytes} 字节）",
            f"The chunk is too large (limit {settings.chunk_max_bytes} bytes)", field="body",
        )  # fmt: skip
    if offset != up.received_bytes:
        raise _offset_conflict(up.received_bytes)
    if offset + len(data) > up.size_bytes:
        raise invalid(
            "body", f"超出声明的文件大小（{up.size_bytes} 字节）",
            f"The chunk runs past the declared size ({up.size_bytes} bytes)", "chunk_past_end",
        )  # fmt: skip
    won = db.execute(
        update(MediaUpload)
        .where(
            MediaUpload.id == up.id,
            MediaUpload.received_bytes == offset,
            MediaUpload.status == "open",
        )
        .values(received_bytes=offset + len(data), updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]  # CursorResult of an UPDATE
    if won != 1:
        db.rollback()
        db.refresh(up)
        raise _offset_conflict(up.received_bytes)
    store.write_at(up.id, offset, data)
    db.refresh(up)
    return up


def _offset_conflict(expected: int) -> ApiError:
    return ApiError(
        409, "offset_mismatch", f"分片偏移不符：应从第 {expected} 字节续传",
        f"Wrong offset: continue from byte {expected}", field="offset",
        headers={"Upload-Offset": str(expected)},
    )  # fmt: skip


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1024 * 1024):
            h.update(block)
    return h.hexdigest()


def _refuse_upload(
    db: Session, store: DiskStore, up: MediaUpload, r: Refusal, owner: Owner, now: datetime
) -> ApiError:
    """Close the session as refused (its bytes dropped, the refusal audited) and answer why.
    The caller commits, then raises what this returns."""
    before = audit.snapshot(up)
    up.status, up.refusal, up.updated_at = "refused", r.code, now
    store.drop_staged(up.id)
    timers.cancel(db, kinds=(EXPIRE,), ref_id=up.id, now=now)
    audit.record(
        db, actor=owner.actor, action="media_upload:refuse", object_type="media_upload",
        object_id=up.id, before=before, after=audit.snapshot(up), reason=r.code,
    )  # fmt: skip
    return _refused(r)


def complete(
    db: Session, store: DiskStore, *, up: MediaUpload, owner: Owner, settings: MediaSettings,
    now: datetime, expect_kind: MediaKind | None = None,
) -> MediaObject:  # fmt: skip
    """Check everything the bytes say about themselves, then store them. ``expect_kind``:
    the kind the sender declared (an alarm's "video"); bytes of another kind are a 415."""
    _require_open(up)
    if up.received_bytes != up.size_bytes:
        raise conflict(
            "upload_incomplete", f"尚未收齐：已收 {up.received_bytes}/{up.size_bytes} 字节",
            f"Not all bytes received: {up.received_bytes} of {up.size_bytes}", "offset",
        )  # fmt: skip
    path = store.staged(up.id)
    limits = limits_of(settings)
    digest = _sha256(path)
    refusal: Refusal | None = None
    if digest != up.sha256:
        refusal = Refusal(
            422, "checksum_mismatch", "校验和不符：文件在传输中损坏，请重新上传",
            "Checksum mismatch: the file was damaged on the way; upload it again",
        )  # fmt: skip
    mime = probe.sniff(path) if refusal is None else None
    accepted = kinds.kind_of(mime)
    if refusal is None and accepted is None:
        refusal = kinds.refuse_type(mime)
    found: probe.Probe = probe.Probe()
    if refusal is None and accepted is not None and expect_kind not in (None, accepted[0]):
        refusal = Refusal(
            415, "media_kind_mismatch",
            f"文件内容是{_KIND_ZH[accepted[0]]}，与声明的{_KIND_ZH[expect_kind]}不符",
            f"The content is {accepted[0].value}, not the declared {expect_kind}",
        )  # fmt: skip
    if refusal is None and accepted is not None:
        kind, _ext = accepted
        refusal = kinds.check_size(kind, up.size_bytes, limits)
        if refusal is None:
            result = probe.probe(path, mime or "", kind, limits)
            if isinstance(result, Refusal):
                refusal = result
            else:
                found = result
                refusal = kinds.check_duration(kind, found.duration_s, limits)
    if refusal is not None or accepted is None or mime is None:
        error = _refuse_upload(db, store, up, refusal or kinds.refuse_type(mime), owner, now)
        db.commit()
        raise error
    kind, ext = accepted
    key = f"{digest[:2]}/{digest[2:4]}/{digest}.{ext}"
    if not store.exists(key):  # content-addressed: the same photo sent twice is kept once
        store.put_file(key, path)
    thumb_key = None
    if kind is MediaKind.image:
        thumb_key = f"{key}{THUMBNAIL_SUFFIX}"
        if not store.exists(thumb_key):
            store.put_bytes(thumb_key, probe.thumbnail(path, settings.thumbnail_px))
    media = MediaObject(
        kind=kind.value, mime=mime, filename=up.filename, size_bytes=up.size_bytes,
        sha256=digest, storage_key=key, thumbnail_key=thumb_key, width=found.width,
        height=found.height, duration_s=found.duration_s, subdistrict_code=up.subdistrict_code,
        created_by=owner.key, created_at=now,
    )  # fmt: skip
    db.add(media)
    db.flush()
    before = audit.snapshot(up)
    up.status, up.media_id, up.updated_at = "complete", media.id, now
    timers.cancel(db, kinds=(EXPIRE,), ref_id=up.id, now=now)
    audit.record_many(
        db, actor=owner.actor,
        changes=[
            audit.Change("media:create", "media", media.id, after=audit.snapshot(media)),
            audit.Change("media_upload:complete", "media_upload", up.id, before=before,
                         after=audit.snapshot(up)),
        ],
    )  # fmt: skip
    store.drop_staged(up.id)
    return media


_KIND_ZH = {MediaKind.image: "图片", MediaKind.audio: "音频", MediaKind.video: "视频",
            MediaKind.document: "文档"}  # fmt: skip


def delete(
    db: Session, store: DiskStore | None, *, media_id: int, actor: audit.Actor, now: datetime,
    reason: str,
) -> bool:  # fmt: skip
    """Delete a media object (a retention purge): its row, and its bytes and thumbnail when
    no other object shares them (the store is content-addressed). Audited."""
    m = db.get(MediaObject, media_id)
    if m is None:
        return False
    before = audit.snapshot(m)
    keys = [k for k in (m.storage_key, m.thumbnail_key) if k]
    db.delete(m)
    db.flush()
    shared = db.scalar(select(MediaObject.id).where(MediaObject.storage_key == m.storage_key)
                       .limit(1))  # fmt: skip
    if store is not None and shared is None:
        for key in keys:
            store.remove(key)
    audit.record(
        db, actor=actor, action="media:delete", object_type="media", object_id=media_id,
        before=before, reason=reason,
    )  # fmt: skip
    return True


# ------------------------------------------------------------------ reading
def get(db: Session, media_id: int, *, territory: str | None) -> MediaObject:
    """A media object the caller may see: callers bound to a sub-district see only theirs."""
    m = db.get(MediaObject, media_id)
    if m is None:
        raise not_found("媒体文件", "Media", field="media_id")
    if territory is not None and m.subdistrict_code != territory:
        raise forbidden("无权访问其他街道的文件", "Outside your sub-district")
    return m


def read(m: MediaObject) -> dict[str, Any]:
    return {
        "id": m.id, "kind": m.kind, "mime": m.mime, "filename": m.filename,
        "size_bytes": m.size_bytes, "sha256": m.sha256, "width": m.width, "height": m.height,
        "duration_s": m.duration_s, "subdistrict_code": m.subdistrict_code,
        "created_at": m.created_at, "content_url": f"/api/v1/media/{m.id}/content",
        "thumbnail_url": f"/api/v1/media/{m.id}/thumbnail" if m.thumbnail_key else None,
    }  # fmt: skip


def read_upload(up: MediaUpload, settings: MediaSettings) -> dict[str, Any]:
    return {
        "id": up.id, "filename": up.filename, "size_bytes": up.size_bytes, "sha256": up.sha256,
        "offset": up.received_bytes, "status": up.status, "refusal": up.refusal or None,
        "media_id": up.media_id, "chunk_max_bytes": settings.chunk_max_bytes,
        "expires_at": up.expires_at,
    }  # fmt: skip


# ------------------------------------------------------------------ expiry (a timer)
_STORES: dict[str, DiskStore] = {}


def register_store(db: Database, store: DiskStore) -> None:
    """The store the expiry timers of this database drop staged bytes from (each app
    registers its own; a process may serve several databases, as the tests do)."""
    _STORES[database_key(db)] = store


@timers.handler(EXPIRE)
def _expire(db: Session, timer: Timer, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    up = db.get(MediaUpload, timer.ref_id)
    if up is None or up.status != "open":
        return "closed", []
    before = audit.snapshot(up)
    up.status, up.updated_at = "expired", now
    store = _STORES.get(database_key(db))
    if store is not None:
        store.drop_staged(up.id)
    audit.record(
        db, actor=audit.SYSTEM, action="media_upload:expire", object_type="media_upload",
        object_id=up.id, before=before, after=audit.snapshot(up),
    )  # fmt: skip
    return "expired", []


def open_content(store: ObjectStore, m: MediaObject, *, thumbnail: bool = False) -> Any:
    key = m.thumbnail_key if thumbnail else m.storage_key
    if key is None:
        raise not_found("缩略图", "Thumbnail", field="media_id")
    return store.open(key)


def extension(m: MediaObject) -> str:
    return m.storage_key.rsplit(".", 1)[-1]


def chunks(f: Any, size: int = 256 * 1024) -> Any:
    """Stream an open object in blocks, closing it at the end."""
    try:
        while block := f.read(size):
            yield block
    finally:
        f.close()
