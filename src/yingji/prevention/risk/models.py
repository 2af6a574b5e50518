"""Risk tables: the risk point (a unit, facility, site or activity of an enterprise), the
hazard sources identified in it, every assessment kept, and the control measures.

References to the enterprise (``ent_enterprise.code``) and its units are by key; this domain
reads them only through :mod:`yingji.enterprise.directory`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow


class RiskPoint(Base):
    """风险点: 设备设施、作业活动、场所区域 of one enterprise (GB/T 33000 / DB37/T 2882)."""

    __tablename__ = "prev_risk_point"
    __table_args__ = (
        UniqueConstraint("enterprise_code", "code"),
        Index("ix_prev_risk_point_ent_colour", "enterprise_code", "colour"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enterprise_code: Mapped[str] = mapped_column(ForeignKey("ent_enterprise.code"), nullable=False)
    code: Mapped[str] = mapped_column(String(32), nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    # facility (设备设施) / activity (作业活动) / site (场所区域) / unit (生产储存单元)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("ent_unit.id"), nullable=True)
    location: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The QR / NFC tag on the spot: scanning it proves an inspection happened there.
    tag: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    responsible_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    responsible_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    # Denormalised from the latest assessment (None until first assessed).
    colour: Mapped[str | None] = mapped_column(String(8), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    latest_assessment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # 公司 / 车间 / 班组 / 岗位: follows the colour unless set by hand.
    control_level: Mapped[str | None] = mapped_column(String(16), nullable=True)
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


class HazardSource(Base):
    """危险源: a source of harm identified in a risk point, with its accident types."""

    __tablename__ = "prev_hazard_source"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_point_id: Mapped[int] = mapped_column(
        ForeignKey("prev_risk_point.id"), nullable=False, index=True
    )
    enterprise_code: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # GB 6441-1986 accident types (火灾、爆炸、中毒和窒息、机械伤害、触电、高处坠落 ...)
    hazard_types: Mapped[list[str]] = mapped_column(JSONType, nullable=False, default=list)
    consequence: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class RiskAssessment(Base):
    """One assessment of a risk point: LEC, LS or direct judgement. Every one is kept."""

    __tablename__ = "prev_risk_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_point_id: Mapped[int] = mapped_column(
        ForeignKey("prev_risk_point.id"), nullable=False, index=True
    )
    method: Mapped[str] = mapped_column(String(8), nullable=False)
    inputs: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    colour: Mapped[str] = mapped_column(String(8), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    rule_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    rule_version: Mapped[int] = mapped_column(Integer, nullable=False)
    assessed_by: Mapped[str] = mapped_column(String(64), nullable=False)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False, default="")


class ControlMeasure(Base):
    """管控措施 of a risk point: what is done, at which level, by whom."""

    __tablename__ = "prev_control_measure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    risk_point_id: Mapped[int] = mapped_column(
        ForeignKey("prev_risk_point.id"), nullable=False, index=True
    )
    enterprise_code: Mapped[str] = mapped_column(String(18), nullable=False, index=True)
    # engineering / management / training / ppe / emergency
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    content: Mapped[str] = mapped_column(String(500), nullable=False)
    # company (公司) / workshop (车间) / team (班组) / post (岗位)
    control_level: Mapped[str] = mapped_column(String(16), nullable=False)
    responsible_name: Mapped[str] = mapped_column(String(64), nullable=False)
    responsible_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    active: Mapped[bool] = mapped_column(default=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
