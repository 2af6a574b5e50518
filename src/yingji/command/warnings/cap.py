"""CAP 1.2 messages for warnings to the surroundings: pure functions of values.

* identifier: GB/T 35965.1 form ``ZZZZZZDDDUUUXX_YYYYMMDDhhmmss`` (sender code, Beijing time
  of sending), with ``_N`` added only when the same sender sends twice in one second. The
  form comes from an appendix reproduction of the standard (see the project's standards
  notes): UNCERTAIN, hence the configurable sender code;
* times in the XSD's ``YYYY-MM-DDThh:mm:ss+08:00`` form (Beijing time, no fractions, no Z);
* area: ``circle`` "lat,lon radius_km" and ``polygon`` closed "lat,lon" pairs, WGS-84
  (Google Public Alerts CAP guidance); geocode: the GB/T 2260 division code;
* Update and Cancel carry ``references``: every earlier message as "sender,identifier,sent";
* four colours → severity: red Extreme, orange Severe, yellow Moderate, blue Minor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from lxml import etree

from yingji.core.validators import xml_safe
from yingji.intake.cap import CAP12_NS, schema

BEIJING = ZoneInfo("Asia/Shanghai")
COLOURS = ("red", "orange", "yellow", "blue")
COLOUR_NAMES = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
COLOUR_LEVEL = {"red": "I", "orange": "II", "yellow": "III", "blue": "IV"}
SEVERITY = {"red": "Extreme", "orange": "Severe", "yellow": "Moderate", "blue": "Minor"}
# GB/T 35561 code prefix → CAP category (longest prefix wins)
CATEGORY = {
    "1": "Met", "11B": "Met", "11A": "Met", "12": "Geo", "13": "Met", "14": "Env", "15": "Fire",
    "2": "Safety", "21A03": "CBRNE", "21A04": "CBRNE", "21B": "Transport", "21C": "Fire",
    "21D": "Infra", "22": "CBRNE", "23": "Env", "3": "Health", "4": "Security",
}  # fmt: skip


def cap_time(at: datetime) -> str:
    return at.astimezone(BEIJING).replace(microsecond=0).isoformat()


def identifier(sender_code: str, sent: datetime, n: int = 0) -> str:
    stamp = sent.astimezone(BEIJING).strftime("%Y%m%d%H%M%S")
    return f"{sender_code}_{stamp}" + (f"_{n}" if n else "")


def cap_category(code: str | None) -> str:
    if not code:
        return "Other"
    best = max((p for p in CATEGORY if code.startswith(p)), key=len, default=None)
    return CATEGORY[best] if best else "Other"


def circle(lon: float, lat: float, radius_m: float) -> str:
    return f"{lat:.6f},{lon:.6f} {radius_m / 1000.0:.3f}"


def polygon(ring: list[tuple[float, float]]) -> str:
    """Closed ring of (lon, lat) as CAP's "lat,lon" pairs."""
    pts = list(ring)
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    return " ".join(f"{lat:.6f},{lon:.6f}" for lon, lat in pts)


@dataclass(frozen=True)
class CapInput:
    identifier: str
    sender: str
    sender_name: str
    sent: datetime
    msg_type: str  # Alert | Update | Cancel
    colour: str
    event: str
    headline: str
    description: str
    instruction: str
    area_desc: str
    area: dict  # {"circle": {...}} or {"polygon": [[lon, lat], ...]}
    category_code: str | None
    division_code: str
    effective: datetime
    expires: datetime | None = None
    references: list[tuple[str, str, datetime]] = field(default_factory=list)
    note: str = ""


def build(c: CapInput) -> bytes:
    """The CAP 1.2 alert as UTF-8 XML bytes."""
    ns = CAP12_NS

    def sub(parent: etree._Element, name: str, text: str | None = None) -> etree._Element:
        el = etree.SubElement(parent, f"{{{ns}}}{name}")
        if text is not None:
            el.text = xml_safe(text)
        return el

    alert = etree.Element(f"{{{ns}}}alert", nsmap={None: ns})
    sub(alert, "identifier", c.identifier)
    sub(alert, "sender", c.sender)
    sub(alert, "sent", cap_time(c.sent))
    sub(alert, "status", "Actual")
    sub(alert, "msgType", c.msg_type)
    sub(alert, "scope", "Public")
    if c.note:
        sub(alert, "note", c.note)
    if c.references:
        sub(alert, "references", " ".join(f"{s},{i},{cap_time(t)}" for s, i, t in c.references))
    info = sub(alert, "info")
    sub(info, "language", "zh-CN")
    sub(info, "category", cap_category(c.category_code))
    sub(info, "event", c.event)
    sub(info, "responseType", "AllClear" if c.msg_type == "Cancel" else "Prepare")
    sub(info, "urgency", "Past" if c.msg_type == "Cancel" else "Immediate")
    sub(info, "severity", SEVERITY[c.colour])
    sub(info, "certainty", "Observed")
    if c.category_code:
        code = sub(info, "eventCode")
        sub(code, "valueName", "GB/T 35561")
        sub(code, "value", c.category_code)
    sub(info, "effective", cap_time(c.effective))
    if c.expires is not None:
        sub(info, "expires", cap_time(c.expires))
    sub(info, "senderName", c.sender_name)
    sub(info, "headline", c.headline)
    sub(info, "description", c.description)
    if c.instruction:
        sub(info, "instruction", c.instruction)
    param = sub(info, "parameter")
    sub(param, "valueName", "预警级别")
    sub(param, "value", f"{COLOUR_NAMES[c.colour]}（{COLOUR_LEVEL[c.colour]}级）")
    area = sub(info, "area")
    sub(area, "areaDesc", c.area_desc)
    if "polygon" in c.area:
        sub(area, "polygon", polygon([tuple(p) for p in c.area["polygon"]]))
    else:
        ci = c.area["circle"]
        sub(area, "circle", circle(ci["lon"], ci["lat"], ci["radius_m"]))
    geo = sub(area, "geocode")
    sub(geo, "valueName", "GB/T 2260")
    sub(geo, "value", c.division_code)
    return etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def validate(xml: bytes) -> list[str]:
    """Schema errors of a CAP document (empty when it validates against CAP 1.2)."""
    doc = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    s = schema()
    if s.validate(doc):
        return []
    return [str(e) for e in s.error_log]
