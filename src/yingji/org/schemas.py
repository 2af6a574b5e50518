"""API shapes of the organisation."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class PersonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    title: str
    phone: str


class DepartmentRead(BaseModel):
    code: str
    name: str
    short_name: str
    duty_phone: str
    head: PersonRead | None


class HeadquartersRead(BaseModel):
    code: str
    name: str
    short_name: str
    commander: PersonRead | None
    lead_department: DepartmentRead
    office_name: str
    office_director: PersonRead | None
    office_phone: str
    member_departments: list[DepartmentRead]


class CommitteeRead(BaseModel):
    code: str
    name: str
    first_director: PersonRead | None
    director: PersonRead | None
    headquarters: list[str]


class LocalForceRead(BaseModel):
    id: int
    name: str
    subdistrict_code: str
    duty_phone: str
    members: int
    leader: PersonRead | None


class SubdistrictRead(BaseModel):
    code: str
    name: str
    kind: str
    parent_code: str | None
    centroid: dict[str, float]
    area_km2: float
    population: int
    office_address: str
    duty_phone: str
    local_force: LocalForceRead | None
    geometry: dict[str, Any] | None = None
