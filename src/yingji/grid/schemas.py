"""API shapes of grid items."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


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
