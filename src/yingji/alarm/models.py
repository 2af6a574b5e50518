"""Alarm tables: the alarm, its position refinements, its media, and the limited attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class Alarm(Base):
    """One press of the button, as the caller sent it, with where it went.

    ``report_id``/``incident_id`` name intake's report (channel ``alarm``) and the incident it
    founded or joined. ``outside_district`` or ``lon`` None: the alarm is routed to the centre
    only (an emergency is never refused for its place). ``station_status``: ``""`` (no station
    in reach), ``notified`` → ``accepted`` → ``on_the_way`` → ``arrived``.
    """

    __tablename__ = "alarm_alarm"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_alarm_alarm_idempotency_key"),
        Index("ix_alarm_alarm_device", "device_id", "received_at"),
        Index("ix_alarm_alarm_address", "client_addr", "received_at"),
        Index("ix_alarm_alarm_received", "received_at"),
        Index("ix_alarm_alarm_station", "station_id", "created_at"),
        Index("ix_alarm_alarm_incident", "incident_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), nullable=False)
    body_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    device_id: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    position_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # why the position could not be used, for the officer ("" when it was located)
    position_note: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    outside_district: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    subdistrict_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    report_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    incident_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    station_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    station_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    station_subdistrict_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    station_distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    station_status: Mapped[str] = mapped_column(String(16), nullable=False, default="")
    station_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # what the fan-out could not do by itself (a linkage not configured: the centre phones)
    fanout_notes: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    client_addr: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    # taken into the spool while the database was unreachable, replayed later
    spooled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # when the server first took it (for a spooled alarm: the spool time)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AlarmPosition(Base):
    """A later, better fix of the caller's position (the first is on the alarm itself)."""

    __tablename__ = "alarm_position"
    __table_args__ = (Index("ix_alarm_position_alarm", "alarm_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alarm_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    accuracy_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class AlarmMedia(Base):
    """The ``n``-th photo or recording of an alarm: its upload on the shared media store."""

    __tablename__ = "alarm_media"
    __table_args__ = (UniqueConstraint("alarm_id", "n", name="uq_alarm_media_alarm_n"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alarm_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    n: Mapped[int] = mapped_column(Integer, nullable=False)
    declared_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    upload_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    media_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # uploading | complete | refused | purged
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    refusal: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class AlarmLimited(Base):
    """An alarm refused by a rate limit (429): kept, so an emergency is never silently lost."""

    __tablename__ = "alarm_limited"
    __table_args__ = (Index("ix_alarm_limited_at", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    device_id: Mapped[str] = mapped_column(String(128), nullable=False)
    client_addr: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    limit: Mapped[str] = mapped_column(String(16), nullable=False)  # device | address
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    idempotency_key: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    body: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
