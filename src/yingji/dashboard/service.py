"""What the dashboard computes itself; everything else it reads through other domains."""

from __future__ import annotations

from typing import Any

from shapely.geometry import mapping, shape
from shapely.ops import unary_union
from sqlalchemy.orm import Session

from yingji.org import service as org


def outline(geometries: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The outer boundary (区界) of a set of GeoJSON polygons: their union, as GeoJSON."""
    if not geometries:
        return None
    merged = unary_union([shape(g).buffer(0) for g in geometries])
    return dict(mapping(merged))


def district_outline(db: Session, *, territory: str | None) -> dict[str, Any]:
    """The district boundary as a GeoJSON Feature, or the caller's own sub-district's."""
    rows = [
        (code, name, geometry)
        for code, name, geometry in org.subdistrict_geometries(db)
        if territory is None or code == territory
    ]
    return {
        "type": "Feature",
        "geometry": outline([g for _, _, g in rows]),
        "properties": {"subdistricts": [code for code, _, _ in rows]},
    }
