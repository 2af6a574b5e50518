"""Warnings to the surroundings (周边预警): issued, updated, lifted; each a CAP 1.2 message
kept verbatim, on the incident's timeline and stream, served as a feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape

from shapely.geometry import Polygon
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.command import incidents, notices
from yingji.command.config import CommandSettings
from yingji.command.events import CommandEvent
from yingji.command.incidents import IncidentRef, Note
from yingji.command.models import Warning, WarningMessage
from yingji.command.warnings import cap
from yingji.core.errors import ApiError, conflict, invalid, not_found
from yingji.geo.transform import Crs, to_wgs84

Events = list[dict[str, Any]]
DISTRICT_CODE = "370103"
MAX_RADIUS_M = 50_000.0
MSG_TYPE_SCHEME = "urn:oasis:names:tc:emergency:cap:1.2:msgType"


def normalise_area(area: dict[str, Any], incident: IncidentRef) -> dict[str, Any]:
    """The area in WGS-84: a circle (centre defaults to the incident) or a closed polygon."""
    crs = Crs(area.get("crs") or "wgs84")
    if area.get("polygon"):
        pts = [to_wgs84(float(lon), float(lat), crs) for lon, lat in area["polygon"]]
        if pts[0] != pts[-1]:
            pts.append(pts[0])
        if len(pts) < 4 or not Polygon(pts).is_valid or Polygon(pts).area == 0:
            raise invalid(
                "area.polygon", "多边形至少三个不同的点且不能自相交",
                "A polygon needs three distinct points and must not cross itself",
            )  # fmt: skip
        return {"polygon": [[round(x, 7), round(y, 7)] for x, y in pts]}
    c = area.get("circle") or {}
    radius = float(c.get("radius_m", 0))
    if not 0 < radius <= MAX_RADIUS_M:
        raise invalid(
            "area.circle.radius_m", f"半径须在 0 到 {MAX_RADIUS_M:.0f} 米之间",
            f"radius_m must be in (0, {MAX_RADIUS_M:.0f}]",
        )  # fmt: skip
    if c.get("lon") is not None and c.get("lat") is not None:
        lon, lat = to_wgs84(float(c["lon"]), float(c["lat"]), crs)
    elif incident.lon is not None and incident.lat is not None:
        lon, lat = incident.lon, incident.lat
    else:
        raise invalid("area.circle", "事件没有位置，请给出圆心", "Give the circle's centre")
    return {"circle": {"lon": round(lon, 7), "lat": round(lat, 7), "radius_m": radius}}


def _next_identifier(db: Session, settings: CommandSettings, sent: datetime) -> str:
    for n in range(10):
        ident = cap.identifier(settings.cap_sender_code, sent, n)
        if db.scalar(select(WarningMessage.id).where(WarningMessage.identifier == ident)) is None:
            return ident
    raise conflict("cap_identifier_busy", "同一秒内发送过多", "Too many messages in one second")


def _publish_cap(
    db: Session, w: Warning, *, msg_type: str, settings: CommandSettings, now: datetime,
    division_code: str, note: str = "",
) -> WarningMessage:  # fmt: skip
    earlier = list(
        db.scalars(
            select(WarningMessage)
            .where(WarningMessage.warning_id == w.id)
            .order_by(WarningMessage.id)
        )
    )
    ident = _next_identifier(db, settings, now)
    xml = cap.build(
        cap.CapInput(
            identifier=ident, sender=settings.cap_sender, sender_name=settings.cap_sender_name,
            sent=now, msg_type=msg_type, colour=w.colour, event=w.event, headline=w.headline,
            description=w.description, instruction=w.instruction, area_desc=w.area_desc,
            area=w.area, category_code=w.category_code, division_code=division_code,
            effective=w.issued_at, expires=w.expires_at,
            references=[(settings.cap_sender, m.identifier, m.sent_at) for m in earlier],
            note=note,
        )
    )  # fmt: skip
    errors = cap.validate(xml)
    if errors:  # our own output: never publish a message other systems would reject
        raise ApiError(
            500, "cap_invalid", "生成的 CAP 消息未通过校验", "Generated CAP failed validation",
            errors=[{"field": "cap", "message": e, "message_en": e} for e in errors[:5]],
        )  # fmt: skip
    msg = WarningMessage(
        warning_id=w.id, identifier=ident, msg_type=msg_type, sent_at=now,
        xml=xml.decode("utf-8"),
    )  # fmt: skip
    db.add(msg)
    db.flush()
    return msg


def _notify(
    db: Session, w: Warning, msg: WarningMessage, incident: IncidentRef, *, actor: audit.Actor,
    now: datetime,
) -> None:  # fmt: skip
    """The message goes out through the notification seam (warning webhooks, the
    sub-district's duty room), queued in this transaction."""
    notices.warning_sent(
        db, w=w, msg=msg, subdistrict_code=incident.subdistrict_code,
        colour_name=cap.COLOUR_NAMES[w.colour], actor=actor, now=now,
    )  # fmt: skip


def _event(w: Warning, msg: WarningMessage) -> dict[str, Any]:
    return {
        "warning": {
            "id": w.id, "status": w.status, "colour": w.colour, "headline": w.headline,
            "area": w.area, "identifier": msg.identifier, "msg_type": msg.msg_type,
        }
    }  # fmt: skip


def issue(
    db: Session,
    *,
    incident: IncidentRef,
    colour: str,
    event: str,
    headline: str,
    description: str,
    instruction: str,
    area_desc: str,
    area: dict[str, Any],
    expires_at: datetime | None,
    actor: audit.Actor,
    now: datetime,
    settings: CommandSettings,
) -> tuple[Warning, WarningMessage, Events]:
    if incident.status in ("closed", "false_alarm"):
        raise conflict("incident_closed", "事件已终结", "The incident is closed", "incident_id")
    w = Warning(
        incident_id=incident.id, status="active", colour=colour, event=event, headline=headline,
        description=description, instruction=instruction, area_desc=area_desc,
        area=normalise_area(area, incident), category_code=incident.category_code,
        issued_at=now, updated_at=now, expires_at=expires_at,
    )  # fmt: skip
    db.add(w)
    db.flush()
    msg = _publish_cap(
        db, w, msg_type="Alert", settings=settings, now=now,
        division_code=incident.subdistrict_code or DISTRICT_CODE,
    )  # fmt: skip
    audit.record(
        db, actor=actor, action="warning:issue", object_type="warning", object_id=w.id,
        after=audit.snapshot(w),
    )  # fmt: skip
    _notify(db, w, msg, incident, actor=actor, now=now)
    note = Note(
        "warning_issued",
        f"发布{cap.COLOUR_NAMES[colour]}周边预警：{headline}（{area_desc}）",
        f"{colour} warning issued to the surroundings: {headline}",
        {"warning_id": w.id, "identifier": msg.identifier, "colour": colour},
        CommandEvent.WARNING_ISSUED,
        _event(w, msg),
    )
    return w, msg, incidents.note(db, incident_id=incident.id, notes=[note], actor=actor, now=now)


def get(db: Session, warning_id: int) -> Warning:
    w = db.get(Warning, warning_id)
    if w is None:
        raise not_found("预警", "Warning", field="warning_id")
    return w


def messages(db: Session, w: Warning) -> list[WarningMessage]:
    return list(
        db.scalars(
            select(WarningMessage)
            .where(WarningMessage.warning_id == w.id)
            .order_by(WarningMessage.id)
        )
    )


def update(
    db: Session,
    *,
    w: Warning,
    incident: IncidentRef,
    changes: dict[str, Any],
    actor: audit.Actor,
    now: datetime,
    settings: CommandSettings,
) -> tuple[WarningMessage, Events]:
    """Change a warning's colour, text, area or expiry; publishes a CAP Update."""
    if w.status != "active":
        raise conflict("warning_lifted", "预警已解除", "The warning was lifted", "warning_id")
    before = audit.snapshot(w)
    for key, value in changes.items():
        if key == "area":
            value = normalise_area(value, incident)
        setattr(w, key, value)
    w.updated_at = now
    msg = _publish_cap(
        db, w, msg_type="Update", settings=settings, now=now,
        division_code=incident.subdistrict_code or DISTRICT_CODE,
    )  # fmt: skip
    audit.record(
        db, actor=actor, action="warning:update", object_type="warning", object_id=w.id,
        before=before, after=audit.snapshot(w),
    )  # fmt: skip
    _notify(db, w, msg, incident, actor=actor, now=now)
    note = Note(
        "warning_updated",
        f"更新周边预警：{w.headline}（{cap.COLOUR_NAMES[w.colour]}，{w.area_desc}）",
        f"warning updated: {w.headline} ({w.colour})",
        {"warning_id": w.id, "identifier": msg.identifier, "changed": sorted(changes)},
        CommandEvent.WARNING_UPDATED,
        _event(w, msg),
    )
    return msg, incidents.note(db, incident_id=w.incident_id, notes=[note], actor=actor, now=now)


def lift(
    db: Session,
    *,
    w: Warning,
    incident: IncidentRef,
    reason: str,
    actor: audit.Actor,
    now: datetime,
    settings: CommandSettings,
) -> tuple[WarningMessage, Events]:
    """Lift (解除) a warning: a CAP Cancel referencing every earlier message."""
    if w.status != "active":
        raise conflict("warning_lifted", "预警已解除", "The warning was lifted", "warning_id")
    before = audit.snapshot(w)
    w.status = "lifted"
    w.lifted_at = now
    w.updated_at = now
    msg = _publish_cap(
        db, w, msg_type="Cancel", settings=settings, now=now,
        division_code=incident.subdistrict_code or DISTRICT_CODE, note=reason or "预警解除",
    )  # fmt: skip
    audit.record(
        db, actor=actor, action="warning:lift", object_type="warning", object_id=w.id,
        before=before, after=audit.snapshot(w), reason=reason or None,
    )  # fmt: skip
    _notify(db, w, msg, incident, actor=actor, now=now)
    note = Note(
        "warning_lifted",
        f"解除周边预警：{w.headline}" + (f"（{reason}）" if reason else ""),
        f"warning lifted: {w.headline}",
        {"warning_id": w.id, "identifier": msg.identifier, "reason": reason},
        CommandEvent.WARNING_LIFTED,
        _event(w, msg),
    )
    return msg, incidents.note(db, incident_id=w.incident_id, notes=[note], actor=actor, now=now)


def list_stmt(*, incident_id: int | None = None, status: str | None = None) -> Select[Any]:
    stmt = select(Warning).order_by(Warning.updated_at.desc(), Warning.id.desc())
    if incident_id is not None:
        stmt = stmt.where(Warning.incident_id == incident_id)
    if status:
        stmt = stmt.where(Warning.status == status)
    return stmt


def read(w: Warning, msgs: list[WarningMessage] | None = None) -> dict[str, Any]:
    out = {
        "id": w.id, "incident_id": w.incident_id, "status": w.status, "colour": w.colour,
        "colour_name": cap.COLOUR_NAMES[w.colour], "level": cap.COLOUR_LEVEL[w.colour],
        "event": w.event, "headline": w.headline, "description": w.description,
        "instruction": w.instruction, "area_desc": w.area_desc, "area": w.area,
        "category_code": w.category_code, "issued_at": w.issued_at, "updated_at": w.updated_at,
        "expires_at": w.expires_at, "lifted_at": w.lifted_at,
        "cap_url": f"/api/v1/warnings/{w.id}/cap",
    }  # fmt: skip
    if msgs is not None:
        out["messages"] = [
            {"id": m.id, "identifier": m.identifier, "msg_type": m.msg_type, "sent_at": m.sent_at}
            for m in msgs
        ]
    return out


def atom_feed(
    rows: list[tuple[Warning, WarningMessage]], *, base_url: str, settings: CommandSettings,
    now: datetime,
) -> str:  # fmt: skip
    """An Atom 1.0 feed: one entry per warning, its latest CAP message linked (the layout
    public alert aggregators read)."""
    updated = max((m.sent_at for _, m in rows), default=now)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<id>urn:yingji:warnings:{escape(settings.cap_sender_code)}</id>",
        f"<title>{escape(settings.cap_sender_name)} 周边预警</title>",
        f"<updated>{cap.cap_time(updated)}</updated>",
        f"<author><name>{escape(settings.cap_sender_name)}</name></author>",
        f'<link rel="self" href="{escape(base_url)}/api/v1/warnings/feed"/>',
    ]
    for w, m in rows:
        href = f"{base_url}/api/v1/warnings/{w.id}/cap"
        parts += [
            "<entry>",
            f"<id>urn:cap:{escape(settings.cap_sender)}:{escape(m.identifier)}</id>",
            f"<title>{escape(w.headline)}</title>",
            f"<updated>{cap.cap_time(m.sent_at)}</updated>",
            f"<published>{cap.cap_time(w.issued_at)}</published>",
            f"<summary>{escape(w.description[:500])}</summary>",
            f'<category term="{w.colour}" label="{cap.COLOUR_NAMES[w.colour]}"/>',
            f'<category term="{m.msg_type}" scheme="{MSG_TYPE_SCHEME}"/>',
            f'<link rel="alternate" type="application/cap+xml" href="{escape(href)}"/>',
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts)


def feed_rows(db: Session, *, limit: int) -> list[tuple[Warning, WarningMessage]]:
    ws = list(db.scalars(list_stmt().limit(limit)))
    out = []
    for w in ws:
        msgs = messages(db, w)
        if msgs:
            out.append((w, msgs[-1]))
    return out
