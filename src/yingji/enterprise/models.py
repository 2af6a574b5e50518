"""Enterprise tables: the enterprise (keyed by its 统一社会信用代码), its licences, and its
production and storage units (生产单元 / 储存单元, on which the monitoring domain hangs
substances and sensors by GB 18218-2018 §3.2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
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


class Enterprise(Base):
    """企业: one supervised enterprise of the district."""

    __tablename__ = "ent_enterprise"
    __table_args__ = (
        Index("ix_ent_enterprise_sub_colour", "subdistrict_code", "risk_colour"),
        Index("ix_ent_enterprise_industry", "industry_code"),
    )

    code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    industry_code: Mapped[str] = mapped_column(String(5), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False, index=True)
    subdistrict_code: Mapped[str] = mapped_column(
        ForeignKey("org_subdistrict.code"), nullable=False
    )
    grid_point_code: Mapped[str | None] = mapped_column(
        ForeignKey("grid_point.code"), nullable=True
    )
    address: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    legal_rep_name: Mapped[str] = mapped_column(String(64), nullable=False)
    legal_rep_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    # 主要负责人: signs the hidden-hazard statistics and approves extensions (16号令).
    principal_name: Mapped[str] = mapped_column(String(64), nullable=False)
    principal_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    # 安全管理负责人 / 安全员
    safety_manager_name: Mapped[str] = mapped_column(String(64), nullable=False)
    safety_manager_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, nullable=False, default=list)
    employees: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    standardisation_grade: Mapped[str] = mapped_column(String(8), nullable=False, default="none")
    standardisation_expiry: Mapped[date | None] = mapped_column(Date, nullable=True)
    has_major_hazard: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The overall colour: the most serious of its risk points' latest assessments, set by
    # the prevention domain through directory.set_risk_colour (None: not yet assessed).
    risk_colour: Mapped[str | None] = mapped_column(String(8), nullable=True)
    risk_colour_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


class EnterpriseLicence(Base):
    """证照: a licence the enterprise holds, with its number and expiry."""

    __tablename__ = "ent_licence"
    __table_args__ = (UniqueConstraint("enterprise_code", "kind", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(
        ForeignKey("ent_enterprise.code", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    number: Mapped[str] = mapped_column(String(64), nullable=False)
    issuer: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    expires_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    scope: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class EnterpriseUnit(Base):
    """生产单元 / 储存单元: a unit of the enterprise (GB 18218-2018 §3.2–3.3)."""

    __tablename__ = "ent_unit"
    __table_args__ = (UniqueConstraint("enterprise_code", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(
        ForeignKey("ent_enterprise.code", ondelete="CASCADE"), nullable=False, index=True
    )
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    notes: Mapped[str] = mapped_column(String(500), nullable=False, default="")
