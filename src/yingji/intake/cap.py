"""CAP 1.2 (OASIS Common Alerting Protocol) in: parse safely, validate, map into reports.

Parsing is hostile-input safe: lxml with entity resolution, network access and DTD loading
off, no huge trees; a document that carries a DOCTYPE (an internal subset can declare
entities, the usual XXE and billion-laughs vector) is refused before anything else is read,
and XInclude is never processed. Only the CAP 1.2 namespace is accepted (1.1 is refused by
name), and the document must validate against the OASIS CAP 1.2 schema, shipped with the
package (``data/cap12.xsd``, OASIS 2010, as published in google/cap-library).

Mapping (one report per ``area`` of the alert's primary ``info`` — the first in Chinese, else
the first — or one report for an info without areas):

* area ``polygon`` (space-separated WGS-84 "lat,lon" pairs) → its centroid; ``circle``
  ("lat,lon radius_km") → its centre; ``areaDesc`` → the address (an area without geometry is
  located, if at all, by matching its description against the grid's names);
* ``severity`` → level: Extreme I, Severe II, Moderate III, Minor IV, Unknown IV provisional
  (the four-colour warning practice: red/orange/yellow/blue);
* ``event`` → category: an ``eventCode`` whose value is a GB/T 35561 code wins, otherwise
  the classifier reads event, headline and description;
* ``onset`` (else ``effective``, else ``sent``) → occurred_at; ``sent`` → reported_at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree
from shapely.geometry import Polygon

from yingji.core.errors import ApiError
from yingji.intake.categories import path

CAP12_NS = "urn:oasis:names:tc:emergency:cap:1.2"
OLDER_NAMESPACES = {
    "urn:oasis:names:tc:emergency:cap:1.1": "1.1",
    "urn:oasis:names:tc:emergency:cap:1.0": "1.0",
    "http://www.incident.com/cap/1.0": "1.0",
}
SEVERITY_LEVEL = {"Extreme": "I", "Severe": "II", "Moderate": "III", "Minor": "IV"}
_N = f"{{{CAP12_NS}}}"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
    )


@cache
def schema() -> etree.XMLSchema:
    raw = resources.files("yingji.intake").joinpath("data/cap12.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(raw, _parser()))


def _error(code: str, zh: str, en: str, errors: list[dict[str, Any]] | None = None) -> ApiError:
    return ApiError(422, code, zh, en, field="body", errors=errors)


def parse(data: bytes) -> etree._Element:
    """The validated ``alert`` element, or a 422 ``ApiError`` saying what is wrong."""
    if not data.strip():
        raise _error("malformed_xml", "CAP 消息为空", "Empty CAP message")
    try:
        tree = etree.ElementTree(etree.fromstring(data, _parser()))
    except etree.XMLSyntaxError as exc:
        raise _error(
            "malformed_xml", f"XML 格式错误：{exc.msg}", f"Malformed XML: {exc.msg}"
        ) from None
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise _error(
            "cap_dtd_forbidden",
            "CAP 消息不得包含 DOCTYPE/DTD 或实体声明（已拒绝，未解析任何外部资源）",
            "CAP messages must not carry a DOCTYPE, DTD or entity declarations "
            "(refused; nothing external was resolved)",
        )
    root = tree.getroot()
    if _has_entity_refs(root):
        raise _error(
            "cap_dtd_forbidden", "CAP 消息不得包含实体引用", "CAP messages must not use entities"
        )
    ns = etree.QName(root).namespace or ""
    if ns in OLDER_NAMESPACES:
        raise _error(
            "cap_version",
            f"只接受 CAP 1.2（{CAP12_NS}），收到的是 CAP {OLDER_NAMESPACES[ns]}",
            f"Only CAP 1.2 ({CAP12_NS}) is accepted; this is CAP {OLDER_NAMESPACES[ns]}",
        )
    if ns != CAP12_NS or etree.QName(root).localname != "alert":
        raise _error(
            "cap_not_alert",
            f"根元素应为 CAP 1.2 的 alert（命名空间 {CAP12_NS}）",
            f"The root element must be a CAP 1.2 alert (namespace {CAP12_NS})",
        )
    s = schema()
    if not s.validate(tree):
        errors = [
            {
                "field": f"line {e.line}",
                "code": "cap_schema",
                "message": e.message,
                "message_en": e.message,
            }
            for e in list(s.error_log)[:20]
        ]
        first = errors[0]["message"] if errors else ""
        raise _error(
            "cap_schema",
            f"CAP 消息不符合 OASIS CAP 1.2 模式：{first}",
            f"The CAP message fails the OASIS CAP 1.2 schema: {first}",
            errors,
        )
    return root


def _has_entity_refs(root: etree._Element) -> bool:
    return any(isinstance(el, etree._Entity) for el in root.iter())


@dataclass(frozen=True)
class CapReport:
    """One report drawn from an alert: the fields of the intake report model."""

    source_id: str
    occurred_at: datetime
    reported_at: datetime
    title: str
    text: str
    category_code: str | None
    lon: float | None
    lat: float | None
    address: str
    level: str
    level_provisional: bool
    extra: dict[str, Any] = field(default_factory=dict)


def _text(el: etree._Element | None, name: str) -> str:
    if el is None:
        return ""
    child = el.find(_N + name)
    return (child.text or "").strip() if child is not None else ""


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _pairs(el: etree._Element, name: str) -> list[tuple[str, str]]:
    return [(_text(p, "valueName"), _text(p, "value")) for p in el.findall(_N + name)]


def _primary_info(root: etree._Element) -> etree._Element | None:
    infos = root.findall(_N + "info")
    for info in infos:
        if _text(info, "language").lower().startswith("zh"):
            return info
    return infos[0] if infos else None


def _polygon_centroid(value: str) -> tuple[float, float]:
    coords = []
    for pair in value.split():
        lat_s, lon_s = pair.split(",")
        coords.append((float(lon_s), float(lat_s)))
    c = Polygon(coords).centroid
    return float(c.x), float(c.y)


def _circle_centre(value: str) -> tuple[float, float, float]:
    centre, radius = value.split()
    lat_s, lon_s = centre.split(",")
    return float(lon_s), float(lat_s), float(radius)


def to_reports(root: etree._Element) -> list[CapReport]:
    """The reports an alert maps to (one per area, or one for an info without areas)."""
    info = _primary_info(root)
    if info is None:
        raise _error(
            "cap_no_info", "CAP 消息没有 info 段，无事件可收", "The alert has no info block"
        )
    identifier = _text(root, "identifier")
    sender = _text(root, "sender")
    sent = _when(_text(root, "sent"))
    onset = _text(info, "onset") or _text(info, "effective")
    occurred = _when(onset) if onset else sent
    event = _text(info, "event")
    headline = _text(info, "headline")
    description = _text(info, "description")
    instruction = _text(info, "instruction")
    severity = _text(info, "severity")
    code = None
    for _name, value in _pairs(info, "eventCode"):
        if path(value) is not None:
            code = path(value).code  # type: ignore[union-attr]  # checked not None on the line above
            break
    level = SEVERITY_LEVEL.get(severity, "IV")
    common = {
        "identifier": identifier,
        "sender": sender,
        "sent": _text(root, "sent"),
        "status": _text(root, "status"),
        "msgType": _text(root, "msgType"),
        "scope": _text(root, "scope"),
        "references": _text(root, "references"),
        "event": event,
        "categories": [c.text for c in info.findall(_N + "category")],
        "urgency": _text(info, "urgency"),
        "severity": severity,
        "certainty": _text(info, "certainty"),
        "expires": _text(info, "expires"),
        "eventCodes": _pairs(info, "eventCode"),
    }
    out: list[CapReport] = []
    areas: list[etree._Element | None] = list(info.findall(_N + "area")) or [None]
    for k, area in enumerate(areas):
        geometry: dict[str, Any] = {}
        lonlat: tuple[float, float] | None = None
        polygon = area.find(_N + "polygon") if area is not None else None
        circle = area.find(_N + "circle") if area is not None else None
        if polygon is not None and (polygon.text or "").strip():
            lonlat = _polygon_centroid(polygon.text)
            geometry = {"polygon": polygon.text.strip()}
        elif circle is not None and (circle.text or "").strip():
            lon, lat, radius_km = _circle_centre(circle.text)
            lonlat = (lon, lat)
            geometry = {"circle": circle.text.strip(), "radius_km": radius_km}
        out.append(
            CapReport(
                source_id=f"{sender}|{identifier}|{k}",
                occurred_at=occurred,
                reported_at=sent,
                title=(headline or event)[:200],
                text="\n".join(t for t in (description, instruction) if t),
                category_code=code,
                lon=lonlat[0] if lonlat else None,
                lat=lonlat[1] if lonlat else None,
                address=_text(area, "areaDesc")[:256],
                level=level,
                level_provisional=severity not in SEVERITY_LEVEL,
                extra={"cap": {**common, "areaDesc": _text(area, "areaDesc"), **geometry}},
            )
        )
    return out
