"""Alarms in the database, the way in for the alarm's views, the spool's replay and the timer.

An alarm is taken in one transaction: its row, the report on intake's ``alarm`` channel
(located, classified, merged or founding an incident, routed; through intake's
``prepare``/``write_batch``), the nearest micro rescue station (resources' nearby search),
the notices of the fan-out (the notification seam's outbox, delivered and retried by the
scheduler), a note on the incident's timeline and the audit row. It commits before the
caller hears 201, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from yingji.alarm import rules
from yingji.alarm.config import AlarmSettings
from yingji.alarm.models import Alarm, AlarmLimited, AlarmMedia, AlarmPosition
from yingji.alarm.rules import Fix, Kind
from yingji.alarm.schemas import AlarmIn
from yingji.audit import service as audit
from yingji.core.errors import ApiError, conflict, forbidden, invalid, not_found
from yingji.intake import service as intake
from yingji.intake.config import IntakeSettings
from yingji.intake.schemas import Location, Reporter, ReportIn
from yingji.media import service as media
from yingji.media.config import MediaSettings
from yingji.media.kinds import MediaKind
from yingji.media.store import DiskStore
from yingji.notify import service as notify
from yingji.notify.providers import Channel
from yingji.resources import nearby
from yingji.scheduling import timers
from yingji.scheduling.models import Timer

SOURCE = "alarm"
PURGE = "alarm_retention_purge"
PURGE_EVERY = timedelta(days=1)
CALLER = "caller"  # the actor type of the citizen who pressed


def caller_actor(device_id: str) -> audit.Actor:
    return audit.Actor(type=CALLER, id=device_id[:64], name="一键报警求助人")


@dataclass
class Created:
    alarm: Alarm
    replayed: bool
    events: list[dict[str, Any]] = field(default_factory=list)


def by_key(db: Session, key: str) -> Alarm | None:
    return db.scalar(select(Alarm).where(Alarm.idempotency_key == key))


def get(db: Session, alarm_id: int) -> Alarm:
    a = db.get(Alarm, alarm_id)
    if a is None:
        raise not_found("报警", "Alarm", field="alarm_id")
    return a


def _reused(key: str) -> ApiError:
    return conflict(
        "idempotency_key_reused",
        f"幂等键“{key}”已用于另一条内容不同的报警",
        f"The idempotency key '{key}' was already used for a different alarm",
        field="idempotency_key",
    )


# ------------------------------------------------------------------ limits
def counts(db: Session, *, device_id: str, client_addr: str, now: datetime,
           settings: AlarmSettings) -> rules.Counts:  # fmt: skip
    ever = db.scalar(select(Alarm.id).where(Alarm.device_id == device_id).limit(1))
    in_window = db.scalar(
        select(func.count()).select_from(Alarm).where(
            Alarm.device_id == device_id,
            Alarm.received_at >= rules.window_start(now, settings.device_window_s),
        )
    )  # fmt: skip
    by_address = 0
    if client_addr:
        by_address = db.scalar(
            select(func.count()).select_from(Alarm).where(
                Alarm.client_addr == client_addr,
                Alarm.received_at >= rules.window_start(now, settings.address_window_s),
            )
        ) or 0  # fmt: skip
    return rules.Counts(0 if ever is None else 1, in_window or 0, by_address)


def record_limited(
    db: Session, *, body: AlarmIn, payload: dict[str, Any], limit: str, client_addr: str,
    now: datetime,
) -> AlarmLimited:  # fmt: skip
    """Keep the refused attempt (and audit it): an emergency is never silently dropped."""
    row = AlarmLimited(
        device_id=body.device_id, client_addr=client_addr[:64], limit=limit, phone=body.phone,
        idempotency_key=body.idempotency_key, body=payload, at=now,
    )  # fmt: skip
    db.add(row)
    db.flush()
    audit.record(
        db, actor=caller_actor(body.device_id), action="alarm:limited",
        object_type="alarm_limited", object_id=row.id, reason=limit,
        after={"device_id": body.device_id, "limit": limit, "client_addr": client_addr},
    )  # fmt: skip
    return row


def limited_error(limit: str, retry_after_s: int) -> ApiError:
    return ApiError(
        429, "alarm_rate_limited", rules.LIMIT_MESSAGE, rules.LIMIT_MESSAGE_EN, field=limit,
        headers={"Retry-After": str(retry_after_s)},
    )  # fmt: skip


# ------------------------------------------------------------------ taking an alarm
def create(
    db: Session,
    *,
    body: AlarmIn,
    payload: dict[str, Any],
    client_addr: str,
    received_at: datetime,
    now: datetime,
    settings: AlarmSettings,
    intake_settings: IntakeSettings,
    spooled: bool = False,
    check_limits: bool = True,
) -> Created:
    """Take one alarm in the caller's transaction (the caller commits).

    The same idempotency key with the same body answers the stored alarm (``replayed``);
    with another body a 409. Past a limit a 429 (``record_limited`` first, committed by the
    caller). A spooled alarm skips the limits: it was taken when nothing could be counted.
    """
    digest = rules.body_hash(payload)
    prior = by_key(db, body.idempotency_key)
    if prior is not None:
        if prior.body_hash != digest:
            raise _reused(body.idempotency_key)
        return Created(prior, True)
    if check_limits:
        c = counts(db, device_id=body.device_id, client_addr=client_addr, now=received_at,
                   settings=settings)  # fmt: skip
        hit = rules.limited(c, device_max=settings.device_max, address_max=settings.address_max)
        if hit is not None:
            record_limited(db, body=body, payload=payload, limit=hit, client_addr=client_addr,
                           now=now)  # fmt: skip
            window = settings.device_window_s if hit == "device" else settings.address_window_s
            raise limited_error(hit, int(window))
    fix, note, note_en = rules.parse_position(body.location)
    alarm = Alarm(
        idempotency_key=body.idempotency_key, body_hash=digest, device_id=body.device_id,
        kind=body.kind.value if body.kind else None, phone=body.phone, name=body.name or "",
        text=body.text or "", contacts=[c.model_dump() for c in body.contacts],
        lon=fix.lon if fix else None, lat=fix.lat if fix else None,
        accuracy_m=fix.accuracy_m if fix else None, position_at=received_at if fix else None,
        position_note=note, outside_district=False, client_addr=client_addr[:64],
        spooled=spooled, received_at=received_at, created_at=now, updated_at=now,
        station_status="", fanout_notes=[],
    )  # fmt: skip
    db.add(alarm)
    db.flush()
    prepared = _prepare(db, alarm, body, payload, fix, note, note_en, received_at)
    org = intake.organisation(db)
    (outcome,), events = intake.write_batch(
        db, [prepared], settings=intake_settings, org=org, now=now
    )
    if outcome.error is not None:
        raise outcome.error
    assert outcome.result is not None
    alarm.report_id = outcome.result.report_id
    alarm.incident_id = outcome.result.incident_id
    alarm.subdistrict_code = prepared.subdistrict[0] if prepared.subdistrict else None
    if prepared.lon is not None and prepared.lat is not None:
        # stored as WGS-84: a GCJ-02 or BD-09 position sent by a map SDK is converted
        alarm.lon, alarm.lat = prepared.lon, prepared.lat
    station_phone = ""
    if alarm.subdistrict_code is not None and alarm.lon is not None and alarm.lat is not None:
        station_phone = _assign_station(db, alarm, settings, now)
    told = _fan_out(db, alarm, settings, now, station_phone=station_phone)
    events += intake.annotate(
        db, incident_id=alarm.incident_id, actor=intake.SYSTEM_ACTOR, now=now,
        notes=[intake.Note(
            "alarm_fanout", f"一键报警 #{alarm.id}：已通知 {'、'.join(told) or '（无）'}"
            + (f"；{'；'.join(alarm.fanout_notes)}" if alarm.fanout_notes else ""),
            f"one-key alarm #{alarm.id}: told {', '.join(told) or 'nobody'}",
            {"alarm_id": alarm.id, "told": told},
            result="flagged" if alarm.fanout_notes else "ok",
        )],
    )  # fmt: skip
    audit.record(
        db, actor=caller_actor(body.device_id), action="alarm:create", object_type="alarm",
        object_id=alarm.id, after=audit.snapshot(alarm, exclude=("contacts",)),
    )  # fmt: skip
    return Created(alarm, False, events)


def _prepare(
    db: Session, alarm: Alarm, body: AlarmIn, payload: dict[str, Any], fix: Fix | None,
    note: str, note_en: str, received_at: datetime,
) -> intake.Prepared:  # fmt: skip
    """The alarm as a report on intake's ``alarm`` channel: located when its position lies
    in the district, otherwise taken unlocated and flagged for the centre."""
    kind = Kind(alarm.kind) if alarm.kind else None
    title = rules.title_of(kind)
    report: dict[str, Any] = {
        "channel": "alarm",
        "source_id": f"alarm:{alarm.idempotency_key}"[:128],
        "occurred_at": received_at.isoformat(),
        "title": title,
        "text": alarm.text or f"{title}（市民按下一键报警按钮，未附文字）",
        "reporter": {"name": alarm.name, "phone": alarm.phone},
        "extra": {"alarm_id": alarm.id, "kind": alarm.kind, "device_id": alarm.device_id},
    }
    if code := rules.CATEGORY[kind]:
        report["category_code"] = code
    raw = orjson.dumps(payload).decode()
    sender = intake.Sender(CALLER, alarm.device_id[:64], "一键报警求助人")
    if fix is not None:
        loc = Location(lon=fix.lon, lat=fix.lat, crs=fix.crs, accuracy_m=fix.accuracy_m,
                       source="gps")  # fmt: skip
        located = {**report, "location": loc.model_dump(mode="json", exclude_none=True)}
        try:
            return intake.prepare(
                db, _report_in(located, loc), raw_body=raw, payload=located, sender=sender,
                now=received_at,
            )  # fmt: skip
        except ApiError as exc:
            if exc.status != 422:
                raise
            alarm.outside_district = exc.code == "outside_district"
            note, note_en = exc.message, exc.message_en
            alarm.position_note = note[:300]
    report["address"] = (
        f"位置：经度 {fix.lon:.6f}，纬度 {fix.lat:.6f}（{fix.crs}）" if fix else "未提供有效位置"
    )
    return intake.prepare_unlocated(
        db, _report_in(report, None), raw_body=raw, payload=report, sender=sender,
        now=received_at, reason=note, reason_en=note_en,
    )  # fmt: skip


def _report_in(report: dict[str, Any], loc: Location | None) -> ReportIn:
    fields = {k: v for k, v in report.items() if k not in ("location", "reporter")}
    return ReportIn.model_construct(
        **{
            "reported_at": None, "category_code": None, "address": "", "casualties": None,
            "direct_loss_cny": None, "affected_people": None, "attachments": [],
            **fields,
            "occurred_at": datetime.fromisoformat(report["occurred_at"]),
            "location": loc,
            "reporter": Reporter(**report["reporter"]),
        }
    )  # fmt: skip


def _assign_station(db: Session, alarm: Alarm, settings: AlarmSettings, now: datetime) -> str:
    """The nearest micro rescue station (resources' nearby search), told and asked to accept;
    answers its duty phone."""
    assert alarm.lon is not None and alarm.lat is not None
    found = nearby.search(
        db, lon=alarm.lon, lat=alarm.lat, today=now.date(),
        query=nearby.Query(kinds=("stations",), radius_m=settings.station_radius_m, limit=1),
    )  # fmt: skip
    hits = found["results"].get("stations") or []
    if not hits:
        alarm.fanout_notes = [*alarm.fanout_notes, "附近无微型应急救援站"]
        return ""
    s = hits[0]
    alarm.station_id, alarm.station_name = s["id"], s["name"]
    alarm.station_subdistrict_code = s["subdistrict_code"]
    alarm.station_distance_m = s["distance_m"]
    alarm.station_status, alarm.station_updated_at = "notified", now
    return str(s.get("duty_phone") or "")


def _target(spec: str) -> tuple[Channel, str] | None:
    channel, _, to = spec.partition(":")
    try:
        return Channel(channel.strip()), to.strip()
    except ValueError:
        return None


def _fan_out(
    db: Session, alarm: Alarm, settings: AlarmSettings, now: datetime, *, station_phone: str
) -> list[str]:
    """Queue the notices (the notification seam's outbox: they commit with the alarm and the
    scheduler delivers and retries them). Answers whom, for the caller and the timeline."""
    kind = Kind(alarm.kind) if alarm.kind else None
    name, _ = rules.KIND_NAMES[kind] if kind else ("求助", "help")
    where = (
        f"经度 {alarm.lon:.6f} 纬度 {alarm.lat:.6f}"
        f"（WGS-84，精度约 {alarm.accuracy_m or 0:.0f} 米）"
        if alarm.lon is not None and alarm.lat is not None
        else "位置未知"
    )
    text = f"【一键报警】{name}，{where}，回拨 {alarm.phone or '未留电话'}。{alarm.text}".strip()
    data = {
        "alarm_id": alarm.id, "kind": alarm.kind, "phone": alarm.phone, "lon": alarm.lon,
        "lat": alarm.lat, "crs": "wgs84", "accuracy_m": alarm.accuracy_m,
        "received_at": alarm.received_at.isoformat(), "incident_id": alarm.incident_id,
        "outside_district": alarm.outside_district, "text": alarm.text,
    }  # fmt: skip
    notices: list[notify.Notice] = []
    told: list[str] = []
    notes: list[str] = list(alarm.fanout_notes)

    def add(spec: str, to_name: str, source_kind: str) -> bool:
        target = _target(spec)
        if target is None or not target[1]:
            notes.append(f"{to_name} 的目标“{spec}”无法识别")
            return False
        notices.append(notify.Notice(
            channel=target[0], to=target[1], to_name=to_name, subject=f"一键报警 #{alarm.id}",
            text=text, data=data, source_type=SOURCE, source_id=str(alarm.id),
            source_kind=source_kind,
        ))  # fmt: skip
        return True

    for number in rules.linkage_numbers(kind):
        specs: list[str] = getattr(settings, f"linkage_{number}")
        if not specs:
            notes.append(f"{number} 联动未配置，请值班员电话转告 {number}")
        sent = [add(s, f"{number} 联动", f"linkage_{number}") for s in specs]
        if any(sent):
            told.append(number)
    if alarm.station_id is not None:
        if station_phone:
            add(f"sms:{station_phone}", alarm.station_name, "station")
        told.append(alarm.station_name)
    for spec in settings.rescue_platforms:
        if add(spec, "公益救援平台", "platform") and "公益救援平台" not in told:
            told.append("公益救援平台")
    contacts = 0
    for c in alarm.contacts:
        if c.get("phone"):
            contacts += add(f"sms:{c['phone']}", c.get("name") or "紧急联系人", "contact")
    if contacts:
        told.append(f"紧急联系人 {contacts} 人")
    alarm.fanout_notes = notes
    notify.enqueue(db, notices, actor=intake.SYSTEM_ACTOR, now=now)
    return told


# ------------------------------------------------------------------ the caller, afterwards
def check_secret(alarm: Alarm, secret: str | None, key: str) -> None:
    if not rules.secret_ok(key, alarm.idempotency_key, secret):
        raise forbidden("报警凭据不正确", "Wrong or missing alarm secret")


def refine_position(db: Session, alarm: Alarm, *, lon: float, lat: float, crs: str,
                    accuracy_m: float | None, now: datetime) -> AlarmPosition:  # fmt: skip
    """A later fix: kept, and the alarm's position follows when it is at least as accurate."""
    from yingji.geo.transform import Crs, to_wgs84

    wlon, wlat = to_wgs84(lon, lat, Crs(crs))
    pos = AlarmPosition(alarm_id=alarm.id, lon=wlon, lat=wlat, accuracy_m=accuracy_m, at=now)
    db.add(pos)
    better = alarm.lon is None or (
        accuracy_m is not None and (alarm.accuracy_m is None or accuracy_m <= alarm.accuracy_m)
    )
    if better and alarm.purged_at is None:
        alarm.lon, alarm.lat, alarm.accuracy_m, alarm.position_at = wlon, wlat, accuracy_m, now
        alarm.updated_at = now
    db.flush()
    audit.record(
        db, actor=caller_actor(alarm.device_id), action="alarm:position", object_type="alarm",
        object_id=alarm.id, after={"position_id": pos.id, "accuracy_m": accuracy_m,
                                   "adopted": better},
    )  # fmt: skip
    return pos


def _media_row(db: Session, alarm: Alarm, n: int) -> AlarmMedia | None:
    return db.scalar(select(AlarmMedia).where(AlarmMedia.alarm_id == alarm.id, AlarmMedia.n == n))


def _owner(alarm: Alarm) -> media.Owner:
    return media.Owner(
        actor=audit.Actor(CALLER, f"alarm-{alarm.id}", "一键报警求助人"),
        territory=alarm.subdistrict_code,
    )


def put_media(
    db: Session, store: DiskStore, *, alarm: Alarm, n: int, kind: str, offset: int,
    length: int | None, sha256: str | None, data: bytes, settings: AlarmSettings,
    media_settings: MediaSettings, now: datetime,
) -> tuple[AlarmMedia, Any]:  # fmt: skip
    """One chunk of the ``n``-th photo or recording, through the shared media store: the
    first chunk (offset 0) declares the kind, the whole length and the SHA-256 and opens the
    upload; the last one completes it, and the media store checks the bytes (content, size,
    duration, and that they are the declared kind)."""
    if not 1 <= n <= settings.media_max_items:
        raise invalid("n", f"媒体序号须在 1 到 {settings.media_max_items} 之间",
                      f"n must be 1 to {settings.media_max_items}", "out_of_range")  # fmt: skip
    if alarm.purged_at is not None:
        raise conflict("alarm_purged", "该报警的媒体已过保存期限", "Past the retention period")
    row = _media_row(db, alarm, n)
    owner = _owner(alarm)
    if row is None:
        if offset != 0:
            raise ApiError(
                409, "offset_mismatch", "分片偏移不符：应从第 0 字节开始",
                "Wrong offset: start from byte 0", field="offset", headers={"Upload-Offset": "0"},
            )  # fmt: skip
        if length is None or sha256 is None:
            raise invalid("Upload-Length", "首个分片须给出 Upload-Length 与 Upload-Checksum",
                          "The first chunk needs Upload-Length and Upload-Checksum")  # fmt: skip
        up = media.create_upload(
            db, filename=f"alarm-{alarm.id}-{n}.{kind}", size_bytes=length, sha256=sha256,
            owner=owner, settings=media_settings, now=now,
        )  # fmt: skip
        row = AlarmMedia(alarm_id=alarm.id, n=n, declared_kind=kind, upload_id=up.id,
                         status="uploading", created_at=now, updated_at=now)  # fmt: skip
        db.add(row)
        db.flush()
    else:
        if row.declared_kind != kind:
            raise conflict("kind_changed", f"第 {n} 个媒体已声明为 {row.declared_kind}",
                           f"Media {n} was declared {row.declared_kind}", "kind")  # fmt: skip
        up = media.get_upload(db, row.upload_id, owner)
    if row.status != "uploading":
        raise conflict("media_closed", f"第 {n} 个媒体已结束（{row.status}）",
                       f"Media {n} is no longer open ({row.status})", "n")  # fmt: skip
    up = media.put_chunk(db, store, up=up, offset=offset, data=data, settings=media_settings,
                         now=now)  # fmt: skip
    if up.received_bytes < up.size_bytes:
        return row, up
    try:
        obj = media.complete(db, store, up=up, owner=owner, settings=media_settings, now=now,
                             expect_kind=MediaKind(kind))  # fmt: skip
    except ApiError as exc:
        row.status, row.refusal, row.updated_at = "refused", exc.code[:64], now
        db.commit()
        raise
    row.status, row.media_id, row.updated_at = "complete", obj.id, now
    return row, up


def media_states(db: Session, alarm: Alarm) -> list[dict[str, Any]]:
    rows = list(db.scalars(select(AlarmMedia).where(AlarmMedia.alarm_id == alarm.id)
                           .order_by(AlarmMedia.n)))  # fmt: skip
    out = []
    for r in rows:
        up = media.get_upload(db, r.upload_id, _owner(alarm)) if r.status == "uploading" else None
        out.append(
            {
                "n": r.n,
                "kind": r.declared_kind,
                "status": r.status,
                "offset": up.received_bytes if up else 0,
                "size_bytes": up.size_bytes if up else 0,
                "refusal": r.refusal or None,
            }
        )
    return out  # fmt: skip


def media_state(db: Session, alarm: Alarm, n: int) -> dict[str, Any]:
    for s in media_states(db, alarm):
        if s["n"] == n:
            return s
    raise not_found("媒体", "Media", field="n")


def status_view(db: Session, alarm: Alarm) -> dict[str, Any]:
    """What the caller's page shows."""
    steps = [{"at": alarm.received_at, "text": "报警已收到，值班中心已看到",
              "text_en": "alarm received; the centre sees it"}]  # fmt: skip
    told = _told(db, alarm)
    if told:
        steps.append({"at": alarm.created_at, "text": f"已通知：{'、'.join(told)}",
                      "text_en": f"told: {', '.join(told)}"})  # fmt: skip
    station = None
    if alarm.station_id is not None:
        zh, en = rules.STATION_NAMES[alarm.station_status]
        station = {"name": alarm.station_name, "status": alarm.station_status,
                   "status_name": zh, "status_name_en": en,
                   "distance_m": alarm.station_distance_m,
                   "updated_at": alarm.station_updated_at}  # fmt: skip
        if alarm.station_status in ("accepted", "on_the_way", "arrived"):
            steps.append({"at": alarm.station_updated_at, "text": f"{alarm.station_name}：{zh}",
                          "text_en": f"{alarm.station_name}: {en}"})  # fmt: skip
    return {
        "id": alarm.id, "status": alarm.station_status or "received",
        "received_at": alarm.received_at, "kind": alarm.kind,
        "located": alarm.subdistrict_code is not None,
        "outside_district": alarm.outside_district, "position_note": alarm.position_note,
        "station": station, "told": told, "steps": steps,
        "media": media_states(db, alarm), "numbers": numbers(),
    }  # fmt: skip


def numbers() -> list[dict[str, str]]:
    return [{"number": n, "name": zh, "name_en": en} for n, zh, en in rules.NUMBERS]


_KIND_LABEL = {"station": "救援站", "platform": "公益救援平台", "contact": "紧急联系人"}


def _label(source_kind: str) -> str:
    if source_kind.startswith("linkage_"):
        return source_kind.removeprefix("linkage_")
    return _KIND_LABEL.get(source_kind, source_kind)


def _told(db: Session, alarm: Alarm) -> list[str]:
    msgs = db.scalars(notify.list_stmt(source_type=SOURCE, source_id=str(alarm.id))).all()
    out: list[str] = []
    for m in sorted(msgs, key=lambda m: m.id):
        label = alarm.station_name if m.source_kind == "station" else _label(m.source_kind)
        if label not in out:
            out.append(label)
    if alarm.station_id is not None and alarm.station_name not in out:
        out.append(alarm.station_name)
    return out


# ------------------------------------------------------------------ staff
PHONE_ROLES = frozenset({"admin", "duty_officer", "station"})


def list_stmt(*, territory: str | None, station_subdistrict: str | None = None,
              kind: str | None = None, since: datetime | None = None) -> Select[Any]:  # fmt: skip
    stmt = select(Alarm).order_by(Alarm.received_at.desc(), Alarm.id.desc())
    if territory is not None:
        stmt = stmt.where(Alarm.subdistrict_code == territory)
    if station_subdistrict is not None:
        stmt = stmt.where(Alarm.station_subdistrict_code == station_subdistrict)
    if kind:
        stmt = stmt.where(Alarm.kind == kind)
    if since is not None:
        stmt = stmt.where(Alarm.received_at >= since)
    return stmt


def troubled(db: Session, alarms: list[Alarm]) -> set[int]:
    ids = notify.troubled(db, source_type=SOURCE, source_ids=[str(a.id) for a in alarms])
    return {int(i) for i in ids}


def read(alarm: Alarm, *, show_phone: bool, failed: bool) -> dict[str, Any]:
    kind = Kind(alarm.kind) if alarm.kind else None
    return {
        "id": alarm.id, "kind": alarm.kind,
        "kind_name": rules.KIND_NAMES[kind][0] if kind else "未选择",
        "phone": alarm.phone if show_phone else rules.mask_phone(alarm.phone),
        "phone_masked": not show_phone, "name": alarm.name, "text": alarm.text,
        "contacts": len(alarm.contacts), "lon": alarm.lon, "lat": alarm.lat,
        "accuracy_m": alarm.accuracy_m, "position_note": alarm.position_note,
        "outside_district": alarm.outside_district, "subdistrict_code": alarm.subdistrict_code,
        "report_id": alarm.report_id, "incident_id": alarm.incident_id,
        "station_id": alarm.station_id, "station_name": alarm.station_name,
        "station_status": alarm.station_status, "station_updated_at": alarm.station_updated_at,
        "spooled": alarm.spooled, "received_at": alarm.received_at,
        "created_at": alarm.created_at, "delivery_failed": failed,
        "fanout_notes": list(alarm.fanout_notes),
    }  # fmt: skip


def detail(db: Session, alarm: Alarm, *, show_phone: bool) -> dict[str, Any]:
    msgs = list(db.scalars(notify.list_stmt(source_type=SOURCE, source_id=str(alarm.id))))
    tries = notify.attempts_of(db, [m.id for m in msgs])
    deliveries = [
        {
            "id": m.id, "kind": _label(m.source_kind), "channel": m.channel,
            "recipient": m.recipient if show_phone or m.channel == "webhook"
            else rules.mask_phone(m.recipient),
            "recipient_name": m.recipient_name, "status": m.status, "attempts": m.attempts,
            "last_error": m.last_error, "failed": m.status == "failed" or bool(m.last_error),
            "sent_at": m.sent_at,
            "tries": [{"attempt": a.attempt, "outcome": a.outcome, "http_status": a.http_status,
                       "error": a.error, "at": a.at, "next_try_at": a.next_try_at}
                      for a in tries[m.id]],
        }
        for m in sorted(msgs, key=lambda m: m.id)
    ]  # fmt: skip
    items = []
    for r in db.scalars(select(AlarmMedia).where(AlarmMedia.alarm_id == alarm.id)
                        .order_by(AlarmMedia.n)):  # fmt: skip
        row: dict[str, Any] = {"n": r.n, "declared_kind": r.declared_kind, "status": r.status,
                               "refusal": r.refusal or None, "media_id": r.media_id}  # fmt: skip
        if r.media_id is not None and r.status == "complete":
            m = media.read(media.get(db, r.media_id, territory=None))
            row |= {k: m[k] for k in ("mime", "size_bytes", "duration_s", "content_url",
                                      "thumbnail_url")}  # fmt: skip
        items.append(row)
    positions = [
        {"lon": p.lon, "lat": p.lat, "accuracy_m": p.accuracy_m, "at": p.at}
        for p in db.scalars(select(AlarmPosition).where(AlarmPosition.alarm_id == alarm.id)
                            .order_by(AlarmPosition.id))
    ]  # fmt: skip
    failed = any(d["failed"] for d in deliveries)
    return read(alarm, show_phone=show_phone, failed=failed) | {
        "deliveries": deliveries, "media": items, "positions": positions,
        "call_back": f"tel:{alarm.phone}" if show_phone and alarm.phone else None,
    }  # fmt: skip


def station_move(db: Session, alarm: Alarm, *, to: str, actor: audit.Actor,
                 now: datetime) -> list[dict[str, Any]]:  # fmt: skip
    """The station accepts, is on the way, has arrived: forward only; the same step again is
    answered as it stands (a phone that lost the answer sends it again)."""
    if alarm.station_id is None:
        raise conflict("no_station", "该报警未派给救援站", "No station was assigned", "status")
    if alarm.station_status == to:
        return []
    if not rules.station_move_ok(alarm.station_status, to):
        raise conflict(
            "station_step", f"不能从“{rules.STATION_NAMES[alarm.station_status][0]}”改为该状态",
            f"Cannot move from {alarm.station_status} to {to}", "status",
        )  # fmt: skip
    before = {"station_status": alarm.station_status}
    alarm.station_status, alarm.station_updated_at, alarm.updated_at = to, now, now
    audit.record(
        db, actor=actor, action=f"alarm:station_{to}", object_type="alarm", object_id=alarm.id,
        before=before, after={"station_status": to},
    )  # fmt: skip
    if alarm.incident_id is None:
        return []
    zh, en = rules.STATION_NAMES[to]
    return intake.annotate(
        db, incident_id=alarm.incident_id, actor=actor, now=now,
        notes=[intake.Note("alarm_station", f"一键报警 #{alarm.id}：{alarm.station_name}{zh[3:]}",
                           f"alarm #{alarm.id}: {alarm.station_name} {en}",
                           {"alarm_id": alarm.id, "station_status": to})],
    )  # fmt: skip


def limited_stmt(*, since: datetime | None) -> Select[Any]:
    stmt = select(AlarmLimited).order_by(AlarmLimited.at.desc(), AlarmLimited.id.desc())
    if since is not None:
        stmt = stmt.where(AlarmLimited.at >= since)
    return stmt


# ------------------------------------------------------------------ retention (a timer)
_STORES: dict[str, DiskStore] = {}
_RETENTION: dict[str, int] = {}


def purge(db: Session, store: DiskStore | None, *, now: datetime, retention_days: int) -> int:
    """Drop the media and positions of alarms older than the retention period (个人信息保护法
    第十九条、第四十七条: deleted once the purpose is served and the period is over). The alarm,
    its report and the deliveries stay as the record of what happened; the position on the
    alarm is cleared, the incident keeps the place it was located to."""
    cutoff = now - timedelta(days=retention_days)
    old = list(db.scalars(select(Alarm).where(Alarm.received_at < cutoff,
                                              Alarm.purged_at.is_(None)).limit(5000)))  # fmt: skip
    for a in old:
        for r in db.scalars(select(AlarmMedia).where(AlarmMedia.alarm_id == a.id)):
            if r.media_id is not None and r.status == "complete":
                media.delete(db, store, media_id=r.media_id, actor=audit.SYSTEM, now=now,
                             reason="alarm_retention")  # fmt: skip
            r.status, r.media_id, r.updated_at = "purged", None, now
        for p in db.scalars(select(AlarmPosition).where(AlarmPosition.alarm_id == a.id)):
            db.delete(p)
        a.lon = a.lat = a.accuracy_m = None
        a.contacts, a.purged_at, a.updated_at = [], now, now
    if old:
        audit.record(
            db, actor=audit.SYSTEM, action="alarm:purge", object_type="alarm",
            object_id=f"{old[0].id}..{old[-1].id}",
            after={"alarms": len(old), "retention_days": retention_days},
        )  # fmt: skip
    return len(old)


def register_purge(database_key: str, store: DiskStore, retention_days: int) -> None:
    _STORES[database_key] = store
    _RETENTION[database_key] = retention_days


def ensure_purge_timer(db: Session, *, now: datetime) -> None:
    """One pending daily purge timer (scheduled at start-up when none is due)."""
    pending = db.scalar(select(Timer.id).where(Timer.kind == PURGE, Timer.fired_at.is_(None)))
    if pending is None:
        timers.schedule(db, kind=PURGE, ref_id=0, due_at=now + timedelta(minutes=5))


@timers.handler(PURGE)
def _purge_timer(db: Session, timer: Timer, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    from yingji.core.cache import database_key

    key = database_key(db)
    days = _RETENTION.get(key)
    if days is None:
        from yingji.alarm.config import get_alarm_settings

        days = get_alarm_settings().retention_days
    done = purge(db, _STORES.get(key), now=now, retention_days=days)
    timers.schedule(db, kind=PURGE, ref_id=0, due_at=now + PURGE_EVERY)
    return f"purged {done}", []
