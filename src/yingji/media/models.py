"""Media tables: stored objects and the upload sessions that make them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class MediaObject(Base):
    """A stored photo, recording or document, as sent (never re-encoded: it may be evidence).

    ``mime`` is what the content was found to be; ``filename`` is only the name the sender
    gave, kept for downloads. ``subdistrict_code`` is the sender's territory: callers bound
    to a sub-district see only their own sub-district's media.
    """

    __tablename__ = "media_object"
    __table_args__ = (Index("ix_media_object_sha256", "sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    mime: Mapped[str] = mapped_column(String(64), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(200), nullable=False)
    thumbnail_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    subdistrict_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class MediaUpload(Base):
    """A resumable upload session: the size and SHA-256 declared first, chunks PUT at the
    offset received so far, then completed (checked, probed, stored) or refused.

    ``status``: ``open`` → ``complete`` | ``refused`` | ``expired``.
    """

    __tablename__ = "media_upload"
    __table_args__ = (Index("ix_media_upload_status", "status", "expires_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    received_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    refusal: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    media_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    subdistrict_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
