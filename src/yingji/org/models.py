"""Organisation tables. Codes are the stable keys other domains refer to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core.db import Base, JSONType


class Person(Base):
    """A named person with a title and phone: commanders, office heads, force leaders."""

    __tablename__ = "org_person"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    unit_type: Mapped[str] = mapped_column(String(32), nullable=False)
    unit_code: Mapped[str] = mapped_column(String(32), nullable=False, index=True)


class Committee(Base):
    """应急管理委员会: first director (party secretary) and director (district head)."""

    __tablename__ = "org_committee"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    first_director_id: Mapped[int | None] = mapped_column(ForeignKey("org_person.id"))
    director_id: Mapped[int | None] = mapped_column(ForeignKey("org_person.id"))


class Department(Base):
    """A district department (区应急局, 区水务局...) that owns resources and takes tasks."""

    __tablename__ = "org_department"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    short_name: Mapped[str] = mapped_column(String(32), nullable=False)
    head_id: Mapped[int | None] = mapped_column(ForeignKey("org_person.id"))
    duty_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")


class Headquarters(Base):
    """指挥部: led by a deputy district head, its office in the lead department."""

    __tablename__ = "org_headquarters"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    short_name: Mapped[str] = mapped_column(String(32), nullable=False)
    commander_id: Mapped[int | None] = mapped_column(ForeignKey("org_person.id"))
    lead_department_code: Mapped[str] = mapped_column(
        ForeignKey("org_department.code"), nullable=False
    )
    office_name: Mapped[str] = mapped_column(String(128), nullable=False)
    office_director_id: Mapped[int | None] = mapped_column(ForeignKey("org_person.id"))
    office_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")


class HeadquartersMember(Base):
    """A member department of a headquarters."""

    __tablename__ = "org_headquarters_member"
    __table_args__ = (UniqueConstraint("headquarters_code", "department_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    headquarters_code: Mapped[str] = mapped_column(
        ForeignKey("org_headquarters.code"), nullable=False, index=True
    )
    department_code: Mapped[str] = mapped_column(ForeignKey("org_department.code"), nullable=False)


class Subdistrict(Base):
    """街道 (or 园区 when ``kind`` is ``park``): a territorial unit with its boundary in WGS-84.

    Sub-districts tile the district; parks lie inside sub-districts and do not take part in
    locating.
    """

    __tablename__ = "org_subdistrict"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="subdistrict")
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("org_subdistrict.code"))
    geometry: Mapped[dict[str, Any]] = mapped_column(JSONType, nullable=False)
    centroid_lon: Mapped[float] = mapped_column(Float, nullable=False)
    centroid_lat: Mapped[float] = mapped_column(Float, nullable=False)
    area_km2: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    population: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    office_address: Mapped[str] = mapped_column(String(256), nullable=False, default="")
    duty_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")


class LocalForce(Base):
    """属地应急处置力量: the response force of one sub-district or park."""

    __tablename__ = "org_local_force"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subdistrict_code: Mapped[str] = mapped_column(
        ForeignKey("org_subdistrict.code"), nullable=False, unique=True
    )
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("org_person.id"))
    duty_phone: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    members: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
