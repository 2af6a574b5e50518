"""API shapes of grid items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from yingji.geo.transform import Crs
from yingji.org.schemas import LocalForceRead


class _ResponsibleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    responsible_name: str
    responsible_phone: str
    responsible_title: str
    patrol_cycle: str
    notes: str
    updated_at: datetime


class AreaRead(_ResponsibleRead):
    id: int
    code: str
    name: str
    subdistrict_code: str
    households: int
    population: int
    geometry: dict[str, Any]


class LineRead(_ResponsibleRead):
    id: int
    code: str
    name: str
    subdistrict_code: str
    area_code: str | None
    length_m: float
    geometry: dict[str, Any]


class PointRead(_ResponsibleRead):
    id: int
    code: str
    name: str
    kind: str
    subdistrict_code: str
    area_code: str | None
    line_code: str | None
    lon: float
    lat: float
    address: str
    fire_extinguishers: int
    geometry: dict[str, Any]


class ResponsibleRead(BaseModel):
    """责任人 of a grid item."""

    name: str
    phone: str
    title: str


class Coordinates(BaseModel):
    lon: float
    lat: float


class LocateInput(BaseModel):
    lon: float
    lat: float
    crs: Crs


class LocatedSubdistrict(BaseModel):
    code: str
    name: str


class LocatedArea(BaseModel):
    code: str
    name: str
    responsible: ResponsibleRead


class LocatedLine(BaseModel):
    code: str
    name: str
    distance_m: float
    responsible: ResponsibleRead


class LocatedPoint(BaseModel):
    code: str
    name: str
    kind: str
    address: str
    lon: float
    lat: float
    distance_m: float
    responsible: ResponsibleRead


class LocateResult(BaseModel):
    """Where a position lies: sub-district and its local force, area, nearest line and point.

    ``line`` and ``point`` are the nearest of the same sub-district within ``max_distance_m``
    (null if none); ``area`` is null where no grid area covers the position.
    """

    input: LocateInput
    wgs84: Coordinates
    max_distance_m: float
    subdistrict: LocatedSubdistrict
    local_force: LocalForceRead | None
    area: LocatedArea | None
    line: LocatedLine | None
    point: LocatedPoint | None
