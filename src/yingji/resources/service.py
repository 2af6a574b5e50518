"""Teams, experts, micro rescue stations and video feeds: lists, writes, and the team status
other domains drive (``dispatch_team`` / ``release_team``).

Supplies live in :mod:`yingji.resources.supplies` and :mod:`yingji.resources.sharing`; the
nearby search in :mod:`yingji.resources.nearby`. Other domains call the functions here (and
those modules' public functions), never the tables.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy import update as sa_update
from sqlalchemy.orm import Session

from yingji.audit import service as audit
from yingji.core.db import Base
from yingji.core.errors import conflict, not_found
from yingji.resources import places, rules
from yingji.resources.models import (
    Expert,
    Station,
    StationSession,
    Team,
    TeamMember,
    VideoFeed,
)

M = TypeVar("M", bound=Base)

TEAM_KINDS: dict[str, tuple[str, str]] = {
    "professional": ("专业救援队伍", "Professional rescue team"),
    "flood": ("防汛应急抢险队伍", "Flood-control team"),
    "social": ("社会应急救援力量", "Social rescue force"),
    "enterprise": ("协议企业", "Enterprise agreement partner"),
}
SPECIALTIES = ("危化", "防汛", "地质", "消防", "医疗", "建筑", "环境", "安全生产", "气象", "电力")
AVAILABILITY = ("available", "busy", "unavailable")
VIDEO_STATUSES = ("online", "offline", "fault")
STREAM_KINDS = ("hls", "rtsp", "snapshot")

_LABELS = {
    Team: ("队伍", "Team", "team", "teams"),
    Expert: ("专家", "Expert", "expert", "experts"),
    Station: ("救援站", "Station", "station", "stations"),
    VideoFeed: ("视频", "Video feed", "video_feed", "videos"),
}


def get(db: Session, model: type[M], object_id: int, *, field: str = "id") -> M:
    row = db.get(model, object_id)
    if row is None:
        zh, en, _, _ = _LABELS[model]
        raise not_found(zh, en, field=field)
    return row


def create(db: Session, model: type[M], *, data: dict[str, Any], actor: audit.Actor) -> M:
    """A new team, expert, station or video feed, placed in the district from ``lon``/``lat``
    (in ``crs``), audited, its nearby index marked stale."""
    zh, en, object_type, kind = _LABELS[model]
    if db.scalar(select(model.id).where(model.code == data["code"])) is not None:  # type: ignore[attr-defined]  # every resource model (M) has id and code
        raise conflict("code_taken", f"{zh}编码已存在：{data['code']}", f"{en} code taken", "code")
    lon, lat, sub = places.place(
        db, lon=data.pop("lon"), lat=data.pop("lat"), crs=data.pop("crs", "wgs84")
    )
    row = model(**data, lon=lon, lat=lat, subdistrict_code=sub)
    db.add(row)
    db.flush()
    places.bump(db, kind)
    audit.record(
        db, actor=actor, action="create", object_type=object_type, object_id=row.id,  # type: ignore[attr-defined]  # every resource model (M) has an id
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def update(db: Session, row: M, *, changes: dict[str, Any], actor: audit.Actor) -> M:
    _, _, object_type, kind = _LABELS[type(row)]
    before = audit.snapshot(row)
    crs = changes.pop("crs", "wgs84")
    if "lon" in changes or "lat" in changes:
        lon, lat, sub = places.place(
            db,
            lon=changes.pop("lon", row.lon),  # type: ignore[attr-defined]  # every placed model (M) has lon and lat
            lat=changes.pop("lat", row.lat),  # type: ignore[attr-defined]  # as above
            crs=crs,
        )
        row.lon, row.lat, row.subdistrict_code = lon, lat, sub  # type: ignore[attr-defined]  # every placed model (M) has them
    for key, value in changes.items():
        setattr(row, key, value)
    db.flush()
    places.bump(db, kind)
    audit.record(
        db, actor=actor, action="update", object_type=object_type, object_id=row.id,  # type: ignore[attr-defined]  # every resource model (M) has an id
        before=before, after=audit.snapshot(row),
    )  # fmt: skip
    return row


# --- teams ----------------------------------------------------------------------------------


def teams(
    db: Session,
    *,
    kind: str | None = None,
    status: str | None = None,
    skill: str | None = None,
    subdistrict_code: str | None = None,
    owner_code: str | None = None,
    q: str | None = None,
) -> list[Team]:
    """Teams matching every filter given (skills match by substring), by code."""
    stmt = select(Team).order_by(Team.code)
    if kind:
        stmt = stmt.where(Team.kind == kind)
    if status:
        stmt = stmt.where(Team.status == status)
    if subdistrict_code:
        stmt = stmt.where(Team.subdistrict_code == subdistrict_code)
    if owner_code:
        stmt = stmt.where(Team.owner_code == owner_code)
    if q:
        stmt = stmt.where(Team.name.contains(q))
    return [t for t in db.scalars(stmt) if rules.within(t.skills, skill)]


def member_counts(db: Session, team_ids: list[int]) -> dict[int, int]:
    stmt = (
        select(TeamMember.team_id, func.count())
        .where(TeamMember.team_id.in_(team_ids))
        .group_by(TeamMember.team_id)
    )
    return {t: int(n) for t, n in db.execute(stmt).all()}


def members_stmt(team_id: int, *, q: str | None = None) -> Select[Any]:
    stmt = select(TeamMember).where(TeamMember.team_id == team_id).order_by(TeamMember.id)
    if q:
        stmt = stmt.where(TeamMember.name.contains(q))
    return stmt


def add_member(db: Session, team: Team, *, data: dict[str, Any], actor: audit.Actor) -> TeamMember:
    member = TeamMember(team_id=team.id, **data)
    db.add(member)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="team_member", object_id=member.id,
        after=audit.snapshot(member),
    )  # fmt: skip
    return member


def get_member(db: Session, team: Team, member_id: int) -> TeamMember:
    member = db.get(TeamMember, member_id)
    if member is None or member.team_id != team.id:
        raise not_found("队员", "Team member", field="member_id")
    return member


def update_member(
    db: Session, member: TeamMember, *, changes: dict[str, Any], actor: audit.Actor
) -> TeamMember:
    before = audit.snapshot(member)
    for key, value in changes.items():
        setattr(member, key, value)
    db.flush()
    audit.record(
        db, actor=actor, action="update", object_type="team_member", object_id=member.id,
        before=before, after=audit.snapshot(member),
    )  # fmt: skip
    return member


def remove_member(db: Session, member: TeamMember, *, actor: audit.Actor) -> None:
    """A member leaves the team; the audit keeps who they were."""
    before = audit.snapshot(member)
    db.delete(member)
    db.flush()
    audit.record(
        db, actor=actor, action="delete", object_type="team_member", object_id=member.id,
        before=before,
    )  # fmt: skip


def _set_team_status(
    db: Session,
    team_id: int,
    *,
    action: str,
    incident_ref: str | None,
    actor: audit.Actor,
    now: datetime,
) -> Team:
    team = db.scalar(
        select(Team)
        .where(Team.id == team_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if team is None:
        raise not_found("队伍", "Team", field="team_id")
    before = audit.snapshot(team)
    after = rules.next_team_status(team.status, action)
    # Conditional on the status just read: of two parallel dispatches, one wins, one is a 409.
    changed = db.execute(
        sa_update(Team)
        .where(Team.id == team_id, Team.status == team.status)
        .values(
            status=after,
            status_incident_ref=incident_ref if after == "deployed" else None,
            status_changed_at=now,
        )
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE's Result is a CursorResult, which has rowcount
    if changed != 1:
        raise conflict(
            "team_status", "队伍状态已被他人更改，请刷新", "Team status changed meanwhile"
        )
    db.refresh(team)
    places.bump(db, "teams")
    audit.record(
        db, actor=actor, action=action, object_type="team", object_id=team.id,
        before=before, after=audit.snapshot(team),
    )  # fmt: skip
    return team


def dispatch_team(
    db: Session, *, team_id: int, incident_ref: str, actor: audit.Actor, now: datetime
) -> Team:
    """出动: a standby team goes out to an incident (409 if it is not on standby)."""
    return _set_team_status(
        db, team_id, action="dispatch", incident_ref=incident_ref, actor=actor, now=now
    )


def release_team(db: Session, *, team_id: int, actor: audit.Actor, now: datetime) -> Team:
    """收队: a deployed team is back on standby."""
    return _set_team_status(db, team_id, action="release", incident_ref=None, actor=actor, now=now)


def set_team_duty(
    db: Session, *, team_id: int, on_duty: bool, actor: audit.Actor, now: datetime
) -> Team:
    """休整 / 恢复待命: a team not out on a job goes off duty or back on standby."""
    return _set_team_status(
        db, team_id, action="on_duty" if on_duty else "off_duty", incident_ref=None, actor=actor,
        now=now,
    )  # fmt: skip


# --- experts, stations, videos --------------------------------------------------------------


def experts(
    db: Session,
    *,
    specialty: str | None = None,
    availability: str | None = None,
    q: str | None = None,
) -> list[Expert]:
    stmt = select(Expert).order_by(Expert.code)
    if availability:
        stmt = stmt.where(Expert.availability == availability)
    if q:
        stmt = stmt.where(Expert.name.contains(q) | Expert.organisation.contains(q))
    return [e for e in db.scalars(stmt) if rules.within(e.specialties, specialty)]


def stations(db: Session, *, subdistrict_code: str | None = None) -> list[Station]:
    stmt = select(Station).order_by(Station.code)
    if subdistrict_code:
        stmt = stmt.where(Station.subdistrict_code == subdistrict_code)
    return list(db.scalars(stmt))


def add_session(
    db: Session, station: Station, *, data: dict[str, Any], actor: audit.Actor
) -> StationSession:
    row = StationSession(station_id=station.id, **data)
    db.add(row)
    db.flush()
    audit.record(
        db, actor=actor, action="create", object_type="station_session", object_id=row.id,
        after=audit.snapshot(row),
    )  # fmt: skip
    return row


def session_counts(db: Session, station_id: int) -> dict[str, int]:
    """Trainings and drills a station has held: kind → count."""
    stmt = (
        select(StationSession.kind, func.count())
        .where(StationSession.station_id == station_id)
        .group_by(StationSession.kind)
    )
    return {kind: int(n) for kind, n in db.execute(stmt).all()}


def sessions_stmt(station_id: int, *, kind: str | None = None) -> Select[Any]:
    stmt = (
        select(StationSession)
        .where(StationSession.station_id == station_id)
        .order_by(StationSession.held_on.desc(), StationSession.id.desc())
    )
    if kind:
        stmt = stmt.where(StationSession.kind == kind)
    return stmt


def videos(
    db: Session,
    *,
    owner_department_code: str | None = None,
    status: str | None = None,
    subdistrict_code: str | None = None,
) -> list[VideoFeed]:
    stmt = select(VideoFeed).order_by(VideoFeed.code)
    if owner_department_code:
        stmt = stmt.where(VideoFeed.owner_department_code == owner_department_code)
    if status:
        stmt = stmt.where(VideoFeed.status == status)
    if subdistrict_code:
        stmt = stmt.where(VideoFeed.subdistrict_code == subdistrict_code)
    return list(db.scalars(stmt))


def summary(db: Session) -> dict[str, Any]:
    """Counts for the command dashboard: teams by kind and status with their members, experts
    by availability and specialty, stations with their vehicles, video feeds by status."""
    teams_by: dict[str, dict[str, int]] = {}
    for kind, status, n in db.execute(
        select(Team.kind, Team.status, func.count()).group_by(Team.kind, Team.status)
    ).all():
        teams_by.setdefault(kind, {})[status] = int(n)
    members = dict(
        db.execute(
            select(Team.kind, func.count(TeamMember.id))
            .join(TeamMember, TeamMember.team_id == Team.id)
            .group_by(Team.kind)
        ).all()
    )
    experts_all = list(db.scalars(select(Expert)))
    by_specialty: dict[str, int] = {}
    for e in experts_all:
        for sp in e.specialties:
            by_specialty[sp] = by_specialty.get(sp, 0) + 1
    vehicles: dict[str, int] = {}
    station_rows = list(db.scalars(select(Station)))
    for st in station_rows:
        for v in st.vehicles:
            vehicles[v["kind"]] = vehicles.get(v["kind"], 0) + int(v.get("count", 1))
    videos_by = dict(
        db.execute(select(VideoFeed.status, func.count()).group_by(VideoFeed.status)).all()
    )
    return {
        "teams": {
            kind: {"total": sum(st.values()), "by_status": st, "members": int(members.get(kind, 0))}
            for kind, st in sorted(teams_by.items())
        },
        "experts": {
            "total": len(experts_all),
            "by_availability": {
                a: sum(1 for e in experts_all if e.availability == a) for a in AVAILABILITY
            },
            "by_specialty": dict(sorted(by_specialty.items(), key=lambda kv: -kv[1])),
        },
        "stations": {"total": len(station_rows), "vehicles": vehicles},
        "videos": {
            "total": sum(videos_by.values()),
            "by_status": {k: int(v) for k, v in videos_by.items()},
        },
    }
