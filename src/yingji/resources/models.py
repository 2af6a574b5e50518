"""Resource tables: supplies (catalogue, warehouses, batches, movements, reserve targets,
share requests), teams and members, experts, micro rescue stations and their sessions, video
feeds, and the revision counters that tell nearby indexes to rebuild.

Quantities are stored as integer thousandths of the item's unit (``*_milli``): exact on
SQLite and PostgreSQL alike, so ``quantity_milli >= n`` in a conditional UPDATE never trips
over binary fractions. Positions are WGS-84.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow

Milli = BigInteger().with_variant(Integer, "sqlite")


class SupplyItem(Base):
    """One entry of the supplies catalogue (应急物资目录)."""

    __tablename__ = "res_supply_item"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    name_en: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    unit: Mapped[str] = mapped_column(String(16), nullable=False)
    whole_units: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    major_class: Mapped[int] = mapped_column(Integer, nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    gb_code: Mapped[str | None] = mapped_column(String(7), nullable=True)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    min_stock_milli: Mapped[int] = mapped_column(Milli, nullable=False, default=0)
    spec: Mapped[str] = mapped_column(String(128), nullable=False, default="")


class Warehouse(Base):
    """储备库: owned by a department or a sub-district, kept by a named keeper."""

    __tablename__ = "res_warehouse"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    owner_type: Mapped[str] = mapped_column(String(16), nullable=False)
    owner_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    subdistrict_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    address: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    keeper_name: Mapped[str] = mapped_column(String(64), nullable=False)
    keeper_phone: Mapped[str] = mapped_column(String(32), nullable=False)
    area_m2: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    notes: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


class StockThreshold(Base):
    """A warehouse's own low-stock line for one item (overrides the catalogue's)."""

    __tablename__ = "res_stock_threshold"
    __table_args__ = (UniqueConstraint("warehouse_id", "item_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("res_warehouse.id"), nullable=False)
    item_code: Mapped[str] = mapped_column(ForeignKey("res_supply_item.code"), nullable=False)
    min_quantity_milli: Mapped[int] = mapped_column(Milli, nullable=False)


class StockBatch(Base):
    """A batch of one item in one warehouse (批次): what is left of it, and its dates."""

    __tablename__ = "res_stock_batch"
    __table_args__ = (
        CheckConstraint("quantity_milli >= 0", name="quantity_not_negative"),
        CheckConstraint(
            "expiry_date IS NULL OR production_date IS NULL OR expiry_date >= production_date",
            name="expiry_after_production",
        ),
        Index("ix_res_stock_batch_item_wh", "item_code", "warehouse_id"),
        UniqueConstraint("warehouse_id", "item_code", "batch_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(
        ForeignKey("res_warehouse.id"), nullable=False, index=True
    )
    item_code: Mapped[str] = mapped_column(ForeignKey("res_supply_item.code"), nullable=False)
    batch_no: Mapped[str] = mapped_column(String(64), nullable=False)
    production_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    expiry_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    quantity_milli: Mapped[int] = mapped_column(Milli, nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class StockMovement(Base):
    """One line of the movements ledger (出入库台账). Rows are never changed or removed.

    ``kind``: in, out, transfer_out, transfer_in, allocate (to an incident), return (from
    an incident), write_off. ``quantity_milli`` is always positive; the sign follows the kind.
    """

    __tablename__ = "res_stock_movement"
    __table_args__ = (
        CheckConstraint("quantity_milli > 0", name="quantity_positive"),
        Index("ix_res_stock_movement_wh_at", "warehouse_id", "at"),
    )

    id: Mapped[int] = mapped_column(Milli, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("res_warehouse.id"), nullable=False)
    batch_id: Mapped[int] = mapped_column(ForeignKey("res_stock_batch.id"), nullable=False)
    item_code: Mapped[str] = mapped_column(ForeignKey("res_supply_item.code"), nullable=False)
    quantity_milli: Mapped[int] = mapped_column(Milli, nullable=False)
    balance_after_milli: Mapped[int] = mapped_column(Milli, nullable=False)
    incident_ref: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    counterpart_warehouse_id: Mapped[int | None] = mapped_column(
        ForeignKey("res_warehouse.id"), nullable=True
    )
    allocation_id: Mapped[int | None] = mapped_column(Milli, nullable=True, index=True)
    request_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    group_id: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    actor_type: Mapped[str] = mapped_column(String(16), nullable=False)
    actor_id: Mapped[str] = mapped_column(String(64), nullable=False)
    actor_name: Mapped[str] = mapped_column(String(128), nullable=False, default="")


class ReserveTarget(Base):
    """A reserve target of the 2020–2030 plan (储备体系建设规划): an item, a year, a quantity."""

    __tablename__ = "res_reserve_target"
    __table_args__ = (UniqueConstraint("year", "item_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    item_code: Mapped[str] = mapped_column(ForeignKey("res_supply_item.code"), nullable=False)
    quantity_milli: Mapped[int] = mapped_column(Milli, nullable=False)


class ShareRequest(Base):
    """共享调用: a department or sub-district asks for another owner's stock."""

    __tablename__ = "res_share_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending", index=True)
    from_warehouse_id: Mapped[int] = mapped_column(ForeignKey("res_warehouse.id"), nullable=False)
    to_warehouse_id: Mapped[int] = mapped_column(ForeignKey("res_warehouse.id"), nullable=False)
    item_code: Mapped[str] = mapped_column(ForeignKey("res_supply_item.code"), nullable=False)
    quantity_milli: Mapped[int] = mapped_column(Milli, nullable=False)
    reason: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    incident_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    requested_by: Mapped[str] = mapped_column(String(128), nullable=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_note: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class Team(Base):
    """救援队伍: professional, flood-control, social or enterprise-agreement team."""

    __tablename__ = "res_team"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    owner_type: Mapped[str] = mapped_column(String(16), nullable=False)
    owner_code: Mapped[str] = mapped_column(String(32), nullable=False)
    skills: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    equipment: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    leader_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    leader_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    duty_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    subdistrict_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    address: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    agreement_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="standby", index=True)
    status_incident_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class TeamMember(Base):
    __tablename__ = "res_team_member"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("res_team.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False, default="队员")
    phone: Mapped[str] = mapped_column(String(32), nullable=False)
    skills: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    certificates: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)


class Expert(Base):
    """专家库: an expert with specialties, organisation, contact and availability."""

    __tablename__ = "res_expert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    specialties: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    title: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    organisation: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(32), nullable=False)
    email: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    availability: Mapped[str] = mapped_column(String(16), nullable=False, default="available")
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    subdistrict_code: Mapped[str] = mapped_column(String(32), nullable=False)


class Station(Base):
    """微型应急救援站: a sub-district's station with members, vehicles and equipment."""

    __tablename__ = "res_station"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    subdistrict_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    address: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    leader_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    duty_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    vehicles: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    equipment: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    facilities: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)


class StationSession(Base):
    """A training (培训) or public drill (演练) held by a station."""

    __tablename__ = "res_station_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    station_id: Mapped[int] = mapped_column(
        ForeignKey("res_station.id"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(128), nullable=False)
    held_on: Mapped[date] = mapped_column(Date, nullable=False)
    participants: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    notes: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class VideoFeed(Base):
    """A camera feed on the platform (视频信号): owner, place, stream address, status."""

    __tablename__ = "res_video_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    owner_department_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    subdistrict_code: Mapped[str] = mapped_column(String(32), nullable=False)
    stream_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    stream_url: Mapped[str] = mapped_column(String(500), nullable=False)
    view_range_m: Mapped[float] = mapped_column(Float, nullable=False, default=150.0)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="online")
    status_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ResourceRevision(Base):
    """One counter per kind, raised with every change, so nearby indexes know to rebuild."""

    __tablename__ = "res_revision"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
