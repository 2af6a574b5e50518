"""Grid tables. Geometry is GeoJSON in WGS-84; each item lies in one sub-district."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType, UTCDateTime, utcnow


class _Responsible:
    """Ledger fields every grid item carries (定人、定位、定职责)."""

    responsible_name: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    responsible_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    responsible_title: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    patrol_cycle: Mapped[str] = mapped_column(String(16), nullable=False, default="daily")
    notes: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )


class GridArea(_Responsible, Base):
    """面: a region of a sub-district (a community, an estate, a block)."""

    __tablename__ = "grid_area"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    subdistrict_code: Mapped[str] = mapped_column(
        ForeignKey("org_subdistrict.code"), nullable=False, index=True
    )
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    households: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    population: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class GridLine(_Responsible, Base):
    """线: a street or road section."""

    __tablename__ = "grid_line"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    subdistrict_code: Mapped[str] = mapped_column(
        ForeignKey("org_subdistrict.code"), nullable=False, index=True
    )
    area_code: Mapped[str | None] = mapped_column(ForeignKey("grid_area.code"), nullable=True)
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    length_m: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)


class GridPoint(_Responsible, Base):
    """点: one shop, residential building, school, hospital, factory..."""

    __tablename__ = "grid_point"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    subdistrict_code: Mapped[str] = mapped_column(
        ForeignKey("org_subdistrict.code"), nullable=False, index=True
    )
    area_code: Mapped[str | None] = mapped_column(
        ForeignKey("grid_area.code"), nullable=True, index=True
    )
    line_code: Mapped[str | None] = mapped_column(ForeignKey("grid_line.code"), nullable=True)
    lon: Mapped[float] = mapped_column(Float, nullable=False)
    lat: Mapped[float] = mapped_column(Float, nullable=False)
    address: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    fire_extinguishers: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class GridRevision(Base):
    """One row whose number rises with every grid change, so locate indexes know to rebuild."""

    __tablename__ = "grid_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
