"""Patrol tables: the people on the grid and the stewards who share responsibility for points."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class GridMember(Base):
    """A grid worker, 基层巡查员 or 灾害信息员 of one sub-district (the seed: 统筹融合基层巡查员、
    灾害信息员等人员力量; 定人、定位、定职责). ``username`` links the login (role grid_worker,
    scope the same sub-district); ``area_codes``/``line_codes`` are grid codes read through
    yingji.grid's service, never its tables."""

    __tablename__ = "patrol_member"
    __table_args__ = (
        UniqueConstraint("code", name="uq_patrol_member_code"),
        Index("ix_patrol_member_subdistrict", "subdistrict_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    subdistrict_code: Mapped[str] = mapped_column(String(32), nullable=False)
    username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    area_codes: Mapped[list[Any]] = mapped_column(JSONType, nullable=False, default=list)
    line_codes: Mapped[list[Any]] = mapped_column(JSONType, nullable=False, default=list)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class PointSteward(Base):
    """A 楼长 (building head) or shop owner sharing responsibility for one grid point."""

    __tablename__ = "patrol_point_steward"
    __table_args__ = (
        UniqueConstraint("point_code", "name", "role", name="uq_patrol_point_steward"),
        Index("ix_patrol_point_steward_point", "point_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    point_code: Mapped[str] = mapped_column(String(32), nullable=False)
    subdistrict_code: Mapped[str] = mapped_column(String(32), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
