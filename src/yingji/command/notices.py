"""Command's notices to people outside the dashboard, through the notification seam.

* **Task notices** (任务下达): one SMS per party when tasks are assigned to it, to the
  party's duty phone (a department's or sub-district's duty room, a headquarters office, a
  team's duty phone, an expert's phone) — the same grouping as the timeline note and the
  stream push, so a plan of 40 tasks to 10 parties is 10 messages.
* **Escalations** (超时督办): an SMS to the headquarters office (stage 1) or to the
  committee's office in the emergency management bureau (stage 2).
* **Warnings to the surroundings** (周边预警): every configured warning webhook receives the
  CAP 1.2 message (issued, updated or lifted); the incident's sub-district duty room gets an
  SMS with the headline.

Each is queued in the transaction of the change (:func:`yingji.notify.service.enqueue`),
so a notice goes out only for a change that committed; the scheduler delivers it. A party
without a phone on record gets no SMS: its notice is on the timeline and the stream, as
before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.command.models import Task, Warning, WarningMessage
from yingji.core.cache import CACHE
from yingji.notify import service as notify
from yingji.notify.config import NotifySettings, get_notify_settings
from yingji.notify.providers import Channel
from yingji.org import service as org_service
from yingji.resources import service as resources_service
from yingji.scheduling.clock import BEIJING

EMERGENCY_BUREAU = "DEPT-EM"  # the committee's office sits in the emergency management bureau
SMS_PREFIX = "【应急指挥】"


@dataclass(frozen=True)
class Contacts:
    """Duty phones by party type and code (read once per burst of notices)."""

    phones: dict[tuple[str, str], str]

    def phone(self, party_type: str, code: str) -> str:
        return self.phones.get((party_type, code), "")


CONTACTS_CACHE_S = 30.0
_SLOT = "command.contacts"


def contacts(db: Session) -> Contacts:
    """The duty phones, cached for ``CONTACTS_CACHE_S`` per database like the directory (a
    phone changed on the roster reaches the next notice within that time)."""
    return CACHE.get(db, _SLOT, lambda: _read_contacts(db), max_age_s=CONTACTS_CACHE_S)


def _read_contacts(db: Session) -> Contacts:
    phones: dict[tuple[str, str], str] = {}
    for d in org_service.list_departments(db):
        phones[("department", d.code)] = d.duty_phone
    for h in org_service.list_headquarters(db):
        phones[("headquarters", h.code)] = h.office_phone or h.lead_department.duty_phone
    for s in org_service.list_subdistricts(db):
        force = s.local_force.duty_phone if s.local_force else ""
        phones[("subdistrict", s.code)] = s.duty_phone or force
    for t in resources_service.teams(db):
        phones[("team", t.code)] = t.duty_phone or t.leader_phone
    for e in resources_service.experts(db):
        phones[("expert", e.code)] = e.phone
    phones[("committee", "committee")] = phones.get(("department", EMERGENCY_BUREAU), "")
    return Contacts({k: v for k, v in phones.items() if v})


def _hm(at: datetime | None) -> str:
    return at.astimezone(BEIJING).strftime("%m-%d %H:%M") if at else ""


def tasks_assigned(db: Session, tasks: Iterable[Task], *, actor: audit.Actor,
                   now: datetime) -> None:  # fmt: skip
    """One SMS per party listing its new tasks (and their deadlines)."""
    by_party: dict[tuple[str, str], list[Task]] = {}
    for t in tasks:
        by_party.setdefault((t.party_type, t.party_code), []).append(t)
    if not by_party:
        return
    book = contacts(db)
    notices = []
    for (party_type, party_code), group in by_party.items():
        phone = book.phone(party_type, party_code)
        if not phone:
            continue
        first = group[0]
        items = "；".join(
            f"{t.title}（时限 {_hm(t.deadline_at)}）" if t.deadline_at else t.title for t in group
        )
        notices.append(
            notify.Notice(
                channel=Channel.sms, to=phone, to_name=first.party_name,
                subject=f"事件 {first.incident_id} 任务下达",
                text=f"{SMS_PREFIX}{first.party_name}：事件 {first.incident_id} 下达任务——{items}。"
                     "请登录平台接收并反馈。",
                data={"incident_id": first.incident_id, "task_ids": [t.id for t in group]},
                source_type="task", source_id=str(first.id), source_kind="task_assigned",
            )
        )  # fmt: skip
    notify.enqueue(db, notices, actor=actor, now=now)


MAX_LISTED = 5  # tasks named in one SMS; the rest are counted


def tasks_escalated(
    db: Session, escalated: list[tuple[Task, int, dict[str, Any]]], *, now: datetime
) -> None:
    """An SMS to whom overdue tasks were escalated (the headquarters office, or the
    committee's office): one per recipient and incident for a burst, naming the tasks — a
    thousand deadlines passing at once are a few messages, not a thousand."""
    if not escalated:
        return
    book = contacts(db)
    groups: dict[tuple[str, int, int], list[tuple[Task, dict[str, Any]]]] = {}
    for task, stage, to in escalated:
        if stage == 1:
            phone = book.phone("headquarters", to.get("code") or "") or book.phone(
                "department", to.get("department") or EMERGENCY_BUREAU
            )
        else:
            phone = book.phone("committee", "committee")
        if phone:
            groups.setdefault((phone, task.incident_id, stage), []).append((task, to))
    notices = []
    for (phone, incident_id, stage), items in groups.items():
        named = "；".join(
            f"{t.party_name}——{t.title}（时限 {_hm(t.deadline_at)}）" for t, _ in items[:MAX_LISTED]
        )
        more = f"等 {len(items)} 项" if len(items) > MAX_LISTED else ""
        what = (f"事件 {incident_id} 任务超时：{named}{more}，请督办" if stage == 1
                else f"事件 {incident_id} 任务仍未完成：{named}{more}，已报应急委")  # fmt: skip
        first, to = items[0]
        notices.append(
            notify.Notice(
                channel=Channel.sms, to=phone, to_name=str(to.get("name") or ""),
                subject=f"事件 {incident_id} 任务超时", text=f"{SMS_PREFIX}{what}。",
                data={"incident_id": incident_id, "task_ids": [t.id for t, _ in items],
                      "stage": stage},
                source_type="task", source_id=str(first.id), source_kind="task_escalated",
            )
        )  # fmt: skip
    notify.enqueue(db, notices, actor=audit.SYSTEM, now=now)


WARNING_KINDS = {"Alert": "warning_issued", "Update": "warning_updated", "Cancel": "warning_lifted"}
WARNING_VERBS = {"Alert": "发布", "Update": "更新", "Cancel": "解除"}


def warning_sent(
    db: Session, *, w: Warning, msg: WarningMessage, subdistrict_code: str | None,
    colour_name: str, actor: audit.Actor, now: datetime, settings: NotifySettings | None = None,
) -> None:  # fmt: skip
    """The CAP message to every warning webhook; an SMS to the sub-district's duty room."""
    settings = settings or get_notify_settings()
    kind = WARNING_KINDS[msg.msg_type]
    common = {"source_type": "warning", "source_id": str(w.id), "source_kind": kind}
    headline = f"{WARNING_VERBS[msg.msg_type]}{colour_name}周边预警：{w.headline}（{w.area_desc}）"
    notices = [
        notify.Notice(
            channel=Channel.webhook,
            to=url,
            subject=w.headline,
            text=headline,
            data={
                "format": "cap-1.2",
                "identifier": msg.identifier,
                "msg_type": msg.msg_type,
                "cap": msg.xml,
            },
            **common,
        )
        for url in settings.warning_webhooks
    ]
    phone = contacts(db).phone("subdistrict", subdistrict_code or "")
    if phone:
        notices.append(
            notify.Notice(
                channel=Channel.sms, to=phone, subject=w.headline,
                text=f"{SMS_PREFIX}{headline}" + (f"。{w.instruction}" if w.instruction else "。"),
                data={"identifier": msg.identifier, "msg_type": msg.msg_type}, **common,
            )
        )  # fmt: skip
    notify.enqueue(db, notices, actor=actor, now=now)
