"""The hidden-hazard loop: each step checked by :mod:`.rules`, written with its timeline
event and audit row in one transaction; deadlines on the shared durable timers; the bureau and
the enterprise's principal told through the shared notification seam."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.audit.service import SYSTEM, Actor
from yingji.core.errors import ApiError, conflict, invalid, not_found
from yingji.enterprise import directory
from yingji.media.models import MediaObject
from yingji.notify import service as notify
from yingji.notify.providers import Channel
from yingji.org import service as org
from yingji.prevention.hazard import criteria, rules
from yingji.prevention.hazard.findings import Finding, register_finding
from yingji.prevention.hazard.models import Hazard, HazardEvent, HazardExtension
from yingji.prevention.ruleset import service as ruleset
from yingji.scheduling import clock, timers
from yingji.scheduling.models import Timer

DEADLINE = "hazard_deadline"
ESCALATE = "hazard_escalate"
ESCALATE_AFTER_DAYS = 3  # overdue this long after the principal was told: the bureau
BUREAU = "DEPT-EM"


@dataclass(frozen=True)
class Who:
    """The acting person, with their part in the loop."""

    actor: Actor
    bureau: bool
    enterprise: str | None

    def loop(self) -> rules.Actor:
        return rules.Actor(id=f"{self.actor.type}:{self.actor.id}", bureau=self.bureau,
                           enterprise=self.enterprise is not None)  # fmt: skip


def facts(h: Hazard) -> rules.Facts:
    return rules.Facts(
        state=h.state, grade=h.grade, has_plan=bool(h.treatment_plan),
        evaluated=bool(h.evaluation), rectified_by=h.rectified_by,
        listed_or_stopped=h.listed_supervision or h.stop_ordered,
    )  # fmt: skip


def get(db: Session, hazard_id: int) -> Hazard:
    h = db.get(Hazard, hazard_id)
    if h is None:
        raise not_found(f"隐患 {hazard_id}", f"hazard {hazard_id}", field="hazard_id")
    return h


def list_stmt(
    *,
    enterprise: str | None,
    territory: str | None,
    state: str | None = None,
    grade: str | None = None,
    overdue: bool | None = None,
    supervised: bool | None = None,
    enterprise_code: str | None = None,
    subdistrict_code: str | None = None,
    industry_prefix: str | None = None,
) -> Select[Any]:
    stmt = select(Hazard)
    for column, value in (
        (Hazard.enterprise_code, enterprise), (Hazard.subdistrict_code, territory),
        (Hazard.state, state), (Hazard.grade, grade), (Hazard.enterprise_code, enterprise_code),
        (Hazard.subdistrict_code, subdistrict_code),
    ):  # fmt: skip
        if value is not None:
            stmt = stmt.where(column == value)
    if overdue is not None:
        stmt = stmt.where(Hazard.overdue.is_(overdue))
    if supervised is not None:
        stmt = stmt.where(Hazard.listed_supervision.is_(supervised))
    if industry_prefix:
        stmt = stmt.where(Hazard.industry_code.startswith(industry_prefix.upper()))
    return stmt.order_by(Hazard.found_at.desc(), Hazard.id.desc())


def timeline(db: Session, hazard_id: int) -> list[HazardEvent]:
    return list(
        db.scalars(
            select(HazardEvent)
            .where(HazardEvent.hazard_id == hazard_id)
            .order_by(HazardEvent.at, HazardEvent.id)
        )
    )


def media_of(db: Session, ids: list[int]) -> list[MediaObject]:
    if not ids:
        return []
    return list(db.scalars(select(MediaObject).where(MediaObject.id.in_(ids))))


def check_photos(db: Session, ids: list[int]) -> list[int]:
    """Photos already in the media store (which checked their bytes), images only."""
    found = {m.id: m for m in media_of(db, ids)}
    for media_id in ids:
        m = found.get(media_id)
        if m is None:
            raise invalid("media_ids", f"照片 {media_id} 不存在", f"No media {media_id}")
        if m.kind != "image":
            raise ApiError(
                415, "not_an_image", f"文件 {media_id} 不是图片（{m.mime}）",
                f"Media {media_id} is not an image ({m.mime})", field="media_ids",
            )  # fmt: skip
    return list(dict.fromkeys(ids))


def _event(db: Session, h: Hazard, kind: str, who: Actor, now: datetime, data: dict[str, Any],
           reason: str = "") -> None:  # fmt: skip
    db.add(
        HazardEvent(
            hazard_id=h.id, kind=kind, at=now, actor_type=who.type, actor_id=who.id,
            actor_name=who.name, data=data, reason=reason,
        )
    )  # fmt: skip


def _step(
    db: Session, h: Hazard, *, kind: str, who: Actor, now: datetime, before: dict[str, Any],
    data: dict[str, Any] | None = None, reason: str = "",
) -> Hazard:  # fmt: skip
    db.flush()
    _event(db, h, kind, who, now, data or {}, reason)
    audit.record(
        db, actor=who, action=f"hazard:{kind}", object_type="hazard", object_id=h.id,
        before=before, after={"state": h.state, **(data or {})}, reason=reason or None,
    )  # fmt: skip
    return h


def _deadline_instant(deadline: date) -> datetime:
    """The end of the deadline's day in Beijing, as UTC."""
    return datetime.combine(deadline + timedelta(days=1), time(0), tzinfo=clock.BEIJING)


def register(
    db: Session, *, enterprise_code: str, description: str, criteria_codes: list[str],
    risk_point_id: int | None, location: str, media_ids: list[int], who: Actor, now: datetime,
) -> Hazard:  # fmt: skip
    """A hazard registered by hand: graded 重大 when any criteria item is ticked."""
    ent = directory.require(db, enterprise_code)
    table = ruleset.in_force(db, criteria.table_for(ent.kind).kind, on=clock.local_date())
    known = {i["code"] for i in table.body}
    unknown = [c for c in criteria_codes if c not in known]
    if unknown:
        raise invalid(
            "criteria", f"判定标准中没有：{'、'.join(unknown)}",
            f"Not in the criteria list {table.kind}: {', '.join(unknown)}",
        )  # fmt: skip
    h = register_finding(
        db,
        Finding(
            enterprise_code=ent.code, source="manual", description=description, found_by=who,
            found_at=now, risk_point_id=risk_point_id, location=location,
            media_ids=tuple(check_photos(db, media_ids)),
            grade="major" if criteria_codes else "general", criteria=tuple(criteria_codes),
            rule_kind=table.kind, rule_version=table.version,
        ),
    )  # fmt: skip
    if h.grade == "major":
        report_major(db, h, now=now)
    return h


def report_major(db: Session, h: Hazard, *, now: datetime) -> None:
    """A 重大 hazard is reported to the bureau at once (its duty phone, by SMS)."""
    phone = _bureau_phone(db)
    ent = directory.get(db, h.enterprise_code)
    if phone:
        notify.enqueue(
            db,
            [notify.Notice(
                channel=Channel.sms, to=phone, to_name="区应急管理局",
                text=f"【重大隐患】{ent.name if ent else h.enterprise_code}：{h.description[:60]}",
                source_type="hazard", source_id=str(h.id), source_kind="major",
            )],
            actor=SYSTEM, now=now,
        )  # fmt: skip
    _event(db, h, "reported_to_bureau", SYSTEM, now, {"to": "DEPT-EM", "phone": bool(phone)})


def _bureau_phone(db: Session) -> str:
    return next((d.duty_phone for d in org.list_departments(db) if d.code == BUREAU), "")


def set_plan(db: Session, h: Hazard, *, plan: dict[str, str], who: Who, now: datetime) -> Hazard:
    rules.plan(facts(h))
    rules.check_plan(plan)
    before = {"treatment_plan": h.treatment_plan}
    h.treatment_plan = plan
    return _step(db, h, kind="treatment_plan", who=who.actor, now=now, before=before,
                 data={"treatment_plan": plan})  # fmt: skip


def start(
    db: Session, h: Hazard, *, deadline: date, responsible_name: str, responsible_phone: str,
    measures: str, funds_yuan: int | None, who: Who, now: datetime,
) -> Hazard:  # fmt: skip
    state = rules.start(facts(h), deadline=deadline, today=clock.local_date())
    before = {"state": h.state, "deadline": h.deadline}
    h.state, h.deadline = state, deadline
    h.responsible_name, h.responsible_phone = responsible_name, responsible_phone
    h.measures, h.funds_yuan = measures, funds_yuan
    timers.schedule(db, kind=DEADLINE, ref_id=h.id, due_at=_deadline_instant(deadline),
                    payload={"deadline": deadline.isoformat()})  # fmt: skip
    data = {"deadline": deadline.isoformat(), "responsible": responsible_name}
    return _step(db, h, kind="rectifying", who=who.actor, now=now, before=before, data=data)


def mark_rectified(
    db: Session, h: Hazard, *, note: str, media_ids: list[int], who: Who, now: datetime
) -> Hazard:
    state = rules.rectified(facts(h))
    photos = check_photos(db, media_ids)
    before = {"state": h.state}
    h.state, h.rectified_by, h.rectified_at = state, who.loop().id, now
    h.overdue = False
    h.media_ids = [*h.media_ids, *(p for p in photos if p not in h.media_ids)]
    return _step(db, h, kind="rectified", who=who.actor, now=now, before=before,
                 data={"note": note, "media_ids": photos})  # fmt: skip


def verify(db: Session, h: Hazard, *, accept: bool, note: str, who: Who, now: datetime) -> Hazard:
    state = rules.verify(facts(h), actor=who.loop(), accept=accept)
    before = {"state": h.state}
    h.state = state
    if accept:
        h.verified_by, h.verified_at = who.loop().id, now
    else:
        h.rectified_by, h.rectified_at = None, None
        h.overdue = rules.overdue(state, h.deadline, clock.local_date())
    return _step(db, h, kind="verified" if accept else "verification_rejected", who=who.actor,
                 now=now, before=before, data={"note": note})  # fmt: skip


def evaluate(
    db: Session, h: Hazard, *, by: str, agency: str, conclusion: str, who: Who, now: datetime
) -> Hazard:
    rules.evaluate(facts(h))
    before = {"evaluation": h.evaluation}
    h.evaluation = {"by": by, "agency": agency, "conclusion": conclusion, "at": now.isoformat()}
    return _step(db, h, kind="evaluated", who=who.actor, now=now, before=before,
                 data={"evaluation": h.evaluation})  # fmt: skip


def close(db: Session, h: Hazard, *, note: str, who: Who, now: datetime) -> Hazard:
    h.state = rules.close(facts(h), actor=who.loop())
    h.closed_at = now
    timers.cancel(db, kinds=(DEADLINE, ESCALATE), ref_id=h.id, now=now)
    return _step(db, h, kind="closed", who=who.actor, now=now, before={"state": "verified"},
                 data={"note": note})  # fmt: skip


def apply_resume(db: Session, h: Hazard, *, text: str, who: Who, now: datetime) -> Hazard:
    h.state = rules.apply_resume(facts(h), actor=who.loop())
    h.resume_applied_at = now
    due = rules.review_due(clock.local_date())
    return _step(db, h, kind="resume_applied", who=who.actor, now=now,
                 before={"state": "verified"},
                 data={"application": text, "review_due": due.isoformat()})  # fmt: skip


def review_resume(
    db: Session, h: Hazard, *, accept: bool, note: str, who: Who, now: datetime
) -> Hazard:
    h.state = rules.review_resume(facts(h), actor=who.loop(), accept=accept)
    if accept:
        h.closed_at = now
        h.listed_supervision = h.stop_ordered = False
        timers.cancel(db, kinds=(DEADLINE, ESCALATE), ref_id=h.id, now=now)
    return _step(db, h, kind="resume_approved" if accept else "resume_refused", who=who.actor,
                 now=now, before={"state": "resume_applied"}, data={"note": note})  # fmt: skip


def supervise(
    db: Session, h: Hazard, *, stop: bool, reason: str, who: Who, now: datetime
) -> Hazard:
    rules.supervise(facts(h), actor=who.loop())
    before = {"listed_supervision": h.listed_supervision, "stop_ordered": h.stop_ordered}
    h.listed_supervision = True
    h.stop_ordered = h.stop_ordered or stop
    return _step(db, h, kind="listed_supervision", who=who.actor, now=now, before=before,
                 data={"stop_ordered": h.stop_ordered}, reason=reason)  # fmt: skip


def reopen(db: Session, h: Hazard, *, reason: str, who: Who, now: datetime) -> Hazard:
    h.state = rules.reopen(facts(h), actor=who.loop())
    h.closed_at = h.verified_at = h.verified_by = h.rectified_by = h.rectified_at = None
    return _step(db, h, kind="reopened", who=who.actor, now=now, before={"state": "closed"},
                 reason=reason)  # fmt: skip


def request_extension(
    db: Session, h: Hazard, *, deadline: date, reason: str, who: Who, now: datetime
) -> HazardExtension:
    rules.extension(facts(h), current=h.deadline, proposed=deadline)
    pending = db.scalar(
        select(HazardExtension.id).where(
            HazardExtension.hazard_id == h.id, HazardExtension.status == "pending"
        )
    )
    if pending is not None:
        raise conflict("extension_pending", "已有待审批的延期申请",
                       "An extension request is already pending")  # fmt: skip
    row = HazardExtension(
        hazard_id=h.id, current_deadline=h.deadline, requested_deadline=deadline, reason=reason,
        requested_by=who.actor.name or who.actor.id, requested_at=now,
    )  # fmt: skip
    db.add(row)
    _step(db, h, kind="extension_requested", who=who.actor, now=now, before={},
          data={"deadline": deadline.isoformat()}, reason=reason)  # fmt: skip
    return row


def decide_extension(
    db: Session, h: Hazard, ext: HazardExtension, *, approve: bool, note: str, who: Who,
    now: datetime,
) -> HazardExtension:  # fmt: skip
    rules.require_bureau(who.loop())
    if ext.status != "pending":
        raise conflict("extension_decided", "该延期申请已处理", "The request was decided")
    ext.status = "approved" if approve else "refused"
    ext.decided_by, ext.decided_at, ext.note = who.actor.name or who.actor.id, now, note
    before = {"deadline": h.deadline}
    if approve:
        h.deadline = ext.requested_deadline
        h.overdue = rules.overdue(h.state, h.deadline, clock.local_date())
        timers.schedule(db, kind=DEADLINE, ref_id=h.id, due_at=_deadline_instant(h.deadline),
                        payload={"deadline": h.deadline.isoformat()})  # fmt: skip
    _step(db, h, kind="extension_approved" if approve else "extension_refused", who=who.actor,
          now=now, before=before, data={"deadline": h.deadline.isoformat() if h.deadline else None},
          reason=note)  # fmt: skip
    return ext


def get_extension(db: Session, h: Hazard, extension_id: int) -> HazardExtension:
    row = db.get(HazardExtension, extension_id)
    if row is None or row.hazard_id != h.id:
        raise not_found(
            f"延期申请 {extension_id}", f"extension {extension_id}", field="extension_id"
        )
    return row


def extensions(db: Session, hazard_id: int) -> list[HazardExtension]:
    return list(db.scalars(select(HazardExtension).where(HazardExtension.hazard_id == hazard_id)
                           .order_by(HazardExtension.id)))  # fmt: skip


# --- the deadline timers ------------------------------------------------------------------


@timers.handler(DEADLINE)
def _on_deadline(db: Session, timer: Timer, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """The deadline passed: still not rectified → overdue, the principal told, and the
    bureau after ``ESCALATE_AFTER_DAYS`` more days. A deadline since moved by an approved
    extension has a timer of its own; this one then finds nothing to do."""
    h = db.get(Hazard, timer.ref_id)
    if h is None or h.deadline is None or h.deadline.isoformat() != timer.payload.get("deadline"):
        return "superseded", []
    if not rules.overdue(h.state, h.deadline, clock.local_date()):
        return "met", []
    h.overdue = True
    ent = directory.get(db, h.enterprise_code)
    if ent and ent.principal_phone:
        notify.enqueue(db, [notify.Notice(
            channel=Channel.sms, to=ent.principal_phone, to_name=ent.principal_name,
            text=f"【隐患逾期】{ent.name}：{h.description[:50]}，整改期限 {h.deadline} 已过",
            source_type="hazard", source_id=str(h.id), source_kind="overdue",
        )], actor=SYSTEM, now=now)  # fmt: skip
    later = now + timedelta(days=ESCALATE_AFTER_DAYS)
    timers.schedule(db, kind=ESCALATE, ref_id=h.id, due_at=later,
                    payload={"deadline": h.deadline.isoformat()})  # fmt: skip
    _step(db, h, kind="overdue", who=SYSTEM, now=now, before={"overdue": False},
          data={"told": "principal"})  # fmt: skip
    return "overdue", []


@timers.handler(ESCALATE)
def _on_escalate(db: Session, timer: Timer, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """Still overdue after the principal was told: the bureau."""
    h = db.get(Hazard, timer.ref_id)
    if h is None or h.deadline is None or h.deadline.isoformat() != timer.payload.get("deadline"):
        return "superseded", []
    if not rules.overdue(h.state, h.deadline, clock.local_date()):
        return "met", []
    phone = _bureau_phone(db)
    if phone:
        notify.enqueue(db, [notify.Notice(
            channel=Channel.sms, to=phone, to_name="区应急管理局",
            text=f"【隐患逾期督办】企业 {h.enterprise_code} 隐患 #{h.id} 逾期未整改",
            source_type="hazard", source_id=str(h.id), source_kind="escalated",
        )], actor=SYSTEM, now=now)  # fmt: skip
    _step(db, h, kind="escalated", who=SYSTEM, now=now, before={}, data={"told": "bureau"})
    return "escalated", []


# --- statistics ---------------------------------------------------------------------------


def stats(
    db: Session, *, enterprise: str | None, territory: str | None, year: int,
    quarter: int | None, group_by: str,
) -> list[dict[str, Any]]:  # fmt: skip
    """Hazards found in the period, by group: found, of them 重大, rectified (verified or
    closed), overdue now, and the rates (16号令 第十四条's quarterly and annual figures)."""
    start_month = 1 if quarter is None else 3 * (quarter - 1) + 1
    end_month = 12 if quarter is None else start_month + 2
    since = datetime(year, start_month, 1, tzinfo=clock.BEIJING)
    until = datetime(year + (end_month == 12), end_month % 12 + 1, 1, tzinfo=clock.BEIJING)
    column = {
        "enterprise": Hazard.enterprise_code, "subdistrict": Hazard.subdistrict_code,
        "industry": func.substr(Hazard.industry_code, 1, 3), "grade": Hazard.grade,
    }[group_by]  # fmt: skip
    done = Hazard.state.in_(("verified", "resume_applied", "closed"))
    stmt: Any = (
        select(
            column.label("key"), func.count().label("found"),
            func.sum(case((Hazard.grade == "major", 1), else_=0)).label("major"),
            func.sum(case((done, 1), else_=0)).label("rectified"),
            func.sum(case((Hazard.overdue.is_(True), 1), else_=0)).label("overdue"),
        )
        .where(Hazard.found_at >= since, Hazard.found_at < until)
        .group_by(column)
        .order_by(column)
    )  # fmt: skip
    if enterprise is not None:
        stmt = stmt.where(Hazard.enterprise_code == enterprise)
    if territory is not None:
        stmt = stmt.where(Hazard.subdistrict_code == territory)
    out = []
    for key, found, major, rectified, overdue in db.execute(stmt):
        out.append({
            "key": key, "found": found, "major": int(major or 0), "rectified": int(rectified or 0),
            "overdue": int(overdue or 0),
            "rectification_rate": round((rectified or 0) / found, 4) if found else 0.0,
            "overdue_rate": round((overdue or 0) / found, 4) if found else 0.0,
        })  # fmt: skip
    return out
