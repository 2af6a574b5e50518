"""Resources endpoints: teams, experts, micro rescue stations, video feeds and the nearby
search; the supplies router is included from :mod:`yingji.resources.supplies_views`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.errors import forbidden, invalid
from yingji.core.pagination import Page, PageParams, page_params, paginate
from yingji.core.responses import TypedRoute
from yingji.resources import access, nearby, rules, service, sharing, supplies
from yingji.resources.deps import serial_db
from yingji.resources.models import Expert, Station, Team, VideoFeed
from yingji.resources.schemas import (
    DispatchIn,
    DutyIn,
    ExpertCreate,
    ExpertRead,
    ExpertUpdate,
    MemberIn,
    MemberRead,
    MemberUpdate,
    NearbyRead,
    SessionIn,
    SessionRead,
    StationCreate,
    StationRead,
    StationUpdate,
    TeamCreate,
    TeamRead,
    TeamUpdate,
    VideoCreate,
    VideoRead,
    VideoUpdate,
    check_stream,
)

router = APIRouter(prefix="/api/v1/resources", tags=["resources 应急资源"], route_class=TypedRoute)
READ = allow(*access.READERS)
WRITERS = allow(Role.admin, Role.department_operator, Role.subdistrict_operator)
DISPATCH = allow(*access.DISPATCHERS, Role.department_operator, Role.subdistrict_operator)
T = TypeVar("T")


def _page(items: Sequence[T], params: PageParams) -> Page[T]:
    """A page of a list filtered in Python (JSON-list filters; a few hundred rows at most)."""
    chunk = list(items[params.offset : params.offset + params.limit])
    return Page(items=chunk, total=len(items), limit=params.limit, offset=params.offset)


def _bureau(principal: Principal) -> bool:
    """The emergency bureau (区应急管理局) keeps the expert database and the agreements."""
    return principal.is_admin or access.owns(principal, "department", "DEPT-EM")


# --- teams ----------------------------------------------------------------------------------


def _team_owner_ok(principal: Principal, owner_type: str, owner_code: str) -> bool:
    if owner_type == "none":
        return _bureau(principal)
    return access.can_write(principal, owner_type, owner_code)


def _team(t: Team, members: int) -> TeamRead:
    data: dict[str, Any] = {c.key: getattr(t, c.key) for c in t.__table__.columns}
    return TeamRead.model_validate(
        {**data, "kind_name": service.TEAM_KINDS[t.kind][0], "members": members}
    )


@router.get("/teams", response_model=Page[TeamRead])
def list_teams(
    kind: str | None = Query(None, pattern="^(professional|flood|social|enterprise)$"),
    status: str | None = Query(None, pattern="^(standby|deployed|off_duty)$"),
    skill: str | None = Query(None, max_length=32),
    subdistrict: str | None = Query(None, max_length=32),
    owner_code: str | None = Query(None, max_length=32),
    q: str | None = Query(None, max_length=64),
    params: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[TeamRead]:
    """Rescue teams: professional, 28 flood-control teams, social forces, enterprise partners."""
    rows = service.teams(
        db, kind=kind, status=status, skill=skill, subdistrict_code=subdistrict,
        owner_code=owner_code, q=q,
    )  # fmt: skip
    page = _page(rows, params)
    counts = service.member_counts(db, [t.id for t in page.items])
    return Page(
        items=[_team(t, counts.get(t.id, 0)) for t in page.items],
        total=page.total, limit=page.limit, offset=page.offset,
    )  # fmt: skip


@router.post("/teams", response_model=TeamRead, status_code=201)
def create_team(
    body: TeamCreate, principal: Principal = Depends(WRITERS), db: Session = Depends(get_db)
) -> TeamRead:
    if not _team_owner_ok(principal, body.owner_type, body.owner_code):
        raise forbidden()
    if body.owner_type != "none":
        supplies.check_owner(db, body.owner_type, body.owner_code, supplies.known_owners(db))
    team = service.create(db, Team, data=body.model_dump(mode="json"), actor=principal.actor)
    db.commit()
    return _team(team, 0)


@router.get("/teams/{team_id}", response_model=TeamRead)
def get_team(team_id: int, _: Principal = Depends(READ), db: Session = Depends(get_db)) -> TeamRead:
    team = service.get(db, Team, team_id, field="team_id")
    return _team(team, service.member_counts(db, [team.id]).get(team.id, 0))


@router.patch("/teams/{team_id}", response_model=TeamRead)
def update_team(
    team_id: int,
    body: TeamUpdate,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> TeamRead:
    team = service.get(db, Team, team_id, field="team_id")
    if not _team_owner_ok(principal, team.owner_type, team.owner_code):
        raise forbidden()
    team = service.update(
        db, team, changes=body.model_dump(mode="json", exclude_unset=True), actor=principal.actor
    )
    db.commit()
    return _team(team, service.member_counts(db, [team.id]).get(team.id, 0))


@router.get("/teams/{team_id}/members", response_model=Page[MemberRead])
def list_members(
    team_id: int,
    q: str | None = Query(None, max_length=64),
    params: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[MemberRead]:
    service.get(db, Team, team_id, field="team_id")
    rows, total = paginate(db, service.members_stmt(team_id, q=q), params)
    return Page(
        items=[MemberRead.model_validate(m) for m in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.post("/teams/{team_id}/members", response_model=MemberRead, status_code=201)
def add_member(
    team_id: int,
    body: MemberIn,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> MemberRead:
    team = service.get(db, Team, team_id, field="team_id")
    if not _team_owner_ok(principal, team.owner_type, team.owner_code):
        raise forbidden()
    member = service.add_member(db, team, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return MemberRead.model_validate(member)


@router.patch("/teams/{team_id}/members/{member_id}", response_model=MemberRead)
def update_member(
    team_id: int,
    member_id: int,
    body: MemberUpdate,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> MemberRead:
    team = service.get(db, Team, team_id, field="team_id")
    if not _team_owner_ok(principal, team.owner_type, team.owner_code):
        raise forbidden()
    member = service.get_member(db, team, member_id)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if v is not None}
    member = service.update_member(db, member, changes=changes, actor=principal.actor)
    db.commit()
    return MemberRead.model_validate(member)


@router.delete("/teams/{team_id}/members/{member_id}", status_code=204)
def remove_member(
    team_id: int,
    member_id: int,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> Response:
    team = service.get(db, Team, team_id, field="team_id")
    if not _team_owner_ok(principal, team.owner_type, team.owner_code):
        raise forbidden()
    service.remove_member(db, service.get_member(db, team, member_id), actor=principal.actor)
    db.commit()
    return Response(status_code=204)


def _may_command(principal: Principal, team: Team) -> None:
    if principal.role in access.DISPATCHERS or _team_owner_ok(
        principal, team.owner_type, team.owner_code
    ):
        return
    raise forbidden("无权调度该队伍", "Not allowed to dispatch this team")


@router.post("/teams/{team_id}/dispatch", response_model=TeamRead)
def dispatch_team(
    team_id: int,
    body: DispatchIn,
    principal: Principal = Depends(DISPATCH),
    db: Session = Depends(serial_db),
) -> TeamRead:
    """出动: a standby team goes to an incident (409 if it is already out or off duty)."""
    _may_command(principal, service.get(db, Team, team_id, field="team_id"))
    team = service.dispatch_team(
        db, team_id=team_id, incident_ref=body.incident_ref, actor=principal.actor, now=utcnow()
    )
    db.commit()
    return _team(team, service.member_counts(db, [team.id]).get(team.id, 0))


@router.post("/teams/{team_id}/release", response_model=TeamRead)
def release_team(
    team_id: int, principal: Principal = Depends(DISPATCH), db: Session = Depends(serial_db)
) -> TeamRead:
    """收队: a deployed team is back on standby."""
    _may_command(principal, service.get(db, Team, team_id, field="team_id"))
    team = service.release_team(db, team_id=team_id, actor=principal.actor, now=utcnow())
    db.commit()
    return _team(team, service.member_counts(db, [team.id]).get(team.id, 0))


@router.post("/teams/{team_id}/duty", response_model=TeamRead)
def set_duty(
    team_id: int,
    body: DutyIn,
    principal: Principal = Depends(DISPATCH),
    db: Session = Depends(serial_db),
) -> TeamRead:
    """休整 / 恢复待命."""
    _may_command(principal, service.get(db, Team, team_id, field="team_id"))
    team = service.set_team_duty(
        db, team_id=team_id, on_duty=body.on_duty, actor=principal.actor, now=utcnow()
    )
    db.commit()
    return _team(team, service.member_counts(db, [team.id]).get(team.id, 0))


# --- experts --------------------------------------------------------------------------------


@router.get("/experts", response_model=Page[ExpertRead])
def list_experts(
    specialty: str | None = Query(None, max_length=32),
    availability: str | None = Query(None, pattern="^(available|busy|unavailable)$"),
    q: str | None = Query(None, max_length=64),
    params: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[ExpertRead]:
    """专家库: by specialty (危化, 防汛, 地质, 消防, 医疗, 建筑, 环境...) and availability."""
    rows = service.experts(db, specialty=specialty, availability=availability, q=q)
    page = _page(rows, params)
    return Page(
        items=[ExpertRead.model_validate(e) for e in page.items],
        total=page.total, limit=page.limit, offset=page.offset,
    )  # fmt: skip


@router.post("/experts", response_model=ExpertRead, status_code=201)
def create_expert(
    body: ExpertCreate, principal: Principal = Depends(WRITERS), db: Session = Depends(get_db)
) -> ExpertRead:
    if not _bureau(principal):
        raise forbidden(
            "专家库由区应急管理局维护", "The expert database is kept by the emergency bureau"
        )
    expert = service.create(db, Expert, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return ExpertRead.model_validate(expert)


@router.get("/experts/{expert_id}", response_model=ExpertRead)
def get_expert(
    expert_id: int, _: Principal = Depends(READ), db: Session = Depends(get_db)
) -> ExpertRead:
    return ExpertRead.model_validate(service.get(db, Expert, expert_id, field="expert_id"))


@router.patch("/experts/{expert_id}", response_model=ExpertRead)
def update_expert(
    expert_id: int,
    body: ExpertUpdate,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> ExpertRead:
    if not _bureau(principal):
        raise forbidden(
            "专家库由区应急管理局维护", "The expert database is kept by the emergency bureau"
        )
    expert = service.get(db, Expert, expert_id, field="expert_id")
    expert = service.update(
        db, expert, changes=body.model_dump(exclude_unset=True), actor=principal.actor
    )
    db.commit()
    return ExpertRead.model_validate(expert)


# --- stations -------------------------------------------------------------------------------


def _station(db: Session, s: Station) -> StationRead:
    counts = service.session_counts(db, s.id)
    data = {c.key: getattr(s, c.key) for c in s.__table__.columns}
    return StationRead.model_validate(
        {**data, "trainings": counts.get("training", 0), "drills": counts.get("drill", 0)}
    )


@router.get("/stations", response_model=Page[StationRead])
def list_stations(
    subdistrict: str | None = Query(None, max_length=32),
    params: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[StationRead]:
    """微型应急救援站: one per sub-district in the demo."""
    page = _page(service.stations(db, subdistrict_code=subdistrict), params)
    return Page(
        items=[_station(db, s) for s in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.post("/stations", response_model=StationRead, status_code=201)
def create_station(
    body: StationCreate, principal: Principal = Depends(WRITERS), db: Session = Depends(get_db)
) -> StationRead:
    station = service.create(db, Station, data=body.model_dump(), actor=principal.actor)
    # Where it lies decides who may create it: the sub-district's operators (or an admin).
    access.require_write(principal, "subdistrict", station.subdistrict_code)
    db.commit()
    return _station(db, station)


@router.get("/stations/{station_id}", response_model=StationRead)
def get_station(
    station_id: int, _: Principal = Depends(READ), db: Session = Depends(get_db)
) -> StationRead:
    return _station(db, service.get(db, Station, station_id, field="station_id"))


@router.patch("/stations/{station_id}", response_model=StationRead)
def update_station(
    station_id: int,
    body: StationUpdate,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> StationRead:
    station = service.get(db, Station, station_id, field="station_id")
    access.require_write(principal, "subdistrict", station.subdistrict_code)
    station = service.update(
        db, station, changes=body.model_dump(exclude_unset=True), actor=principal.actor
    )
    db.commit()
    return _station(db, station)


@router.get("/stations/{station_id}/sessions", response_model=Page[SessionRead])
def list_sessions(
    station_id: int,
    kind: str | None = Query(None, pattern="^(training|drill)$"),
    params: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[SessionRead]:
    """Trainings (培训) and public drills (演练) held, newest first."""
    service.get(db, Station, station_id, field="station_id")
    rows, total = paginate(db, service.sessions_stmt(station_id, kind=kind), params)
    return Page(
        items=[SessionRead.model_validate(r) for r in rows],
        total=total,
        limit=params.limit,
        offset=params.offset,
    )


@router.post("/stations/{station_id}/sessions", response_model=SessionRead, status_code=201)
def add_session(
    station_id: int,
    body: SessionIn,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> SessionRead:
    station = service.get(db, Station, station_id, field="station_id")
    access.require_write(principal, "subdistrict", station.subdistrict_code)
    row = service.add_session(db, station, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return SessionRead.model_validate(row)


# --- videos ---------------------------------------------------------------------------------


@router.get("/videos", response_model=Page[VideoRead])
def list_videos(
    owner: str | None = Query(None, max_length=32, description="所属部门代码"),
    status: str | None = Query(None, pattern="^(online|offline|fault)$"),
    subdistrict: str | None = Query(None, max_length=32),
    params: PageParams = Depends(page_params),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Page[VideoRead]:
    """视频信号: the feeds on the platform with stream address and status."""
    rows = service.videos(
        db, owner_department_code=owner, status=status, subdistrict_code=subdistrict
    )
    page = _page(rows, params)
    return Page(
        items=[VideoRead.model_validate(v) for v in page.items],
        total=page.total, limit=page.limit, offset=page.offset,
    )  # fmt: skip


@router.post("/videos", response_model=VideoRead, status_code=201)
def create_video(
    body: VideoCreate, principal: Principal = Depends(WRITERS), db: Session = Depends(get_db)
) -> VideoRead:
    access.require_write(principal, "department", body.owner_department_code)
    supplies.check_owner(db, "department", body.owner_department_code, supplies.known_owners(db))
    video = service.create(db, VideoFeed, data=body.model_dump(), actor=principal.actor)
    db.commit()
    return VideoRead.model_validate(video)


@router.get("/videos/{video_id}", response_model=VideoRead)
def get_video(
    video_id: int, _: Principal = Depends(READ), db: Session = Depends(get_db)
) -> VideoRead:
    return VideoRead.model_validate(service.get(db, VideoFeed, video_id, field="video_id"))


@router.patch("/videos/{video_id}", response_model=VideoRead)
def update_video(
    video_id: int,
    body: VideoUpdate,
    principal: Principal = Depends(WRITERS),
    db: Session = Depends(get_db),
) -> VideoRead:
    video = service.get(db, VideoFeed, video_id, field="video_id")
    access.require_write(principal, "department", video.owner_department_code)
    changes = body.model_dump(exclude_unset=True)
    if "stream_url" in changes or "stream_kind" in changes:
        try:
            check_stream(
                changes.get("stream_kind", video.stream_kind),
                changes.get("stream_url", video.stream_url),
            )
        except ValueError as exc:
            raise invalid("stream_url", getattr(exc, "zh", str(exc)), str(exc)) from None
    if "status" in changes:
        changes["status_checked_at"] = utcnow()
    video = service.update(db, video, changes=changes, actor=principal.actor)
    db.commit()
    return VideoRead.model_validate(video)


@router.get("/summary")
def resources_summary(
    within_days: int = Query(30, ge=0, le=3650, description="临期预警天数"),
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """The resources at a glance for the dashboard: teams, experts, stations, cameras, and the
    supplies alerts and pending share requests the caller may see."""
    out = service.summary(db)
    scope = access.ledger_scope(db, principal)
    found = supplies.alerts(
        db, today=rules.local_date(utcnow()), within_days=within_days, warehouse_ids=scope
    )
    out["supplies"] = {
        "warehouses": len(supplies.warehouses_in(db, None)),
        "low_stock": len(found.low_stock),
        "expiring": len(found.expiring),
        "pending_requests": sharing.count_pending(db, warehouse_ids=scope),
    }
    return out


# --- map layers and nearby -------------------------------------------------------------------


@router.get("/map")
def map_layers(
    kinds: str | None = Query(
        None, max_length=100, description="teams,experts,warehouses,stations,videos"
    ),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """Map layers: every resource of the kinds asked for as a GeoJSON FeatureCollection
    (WGS-84), with the properties the nearby search shows."""
    return nearby.features(db, nearby.parse_kinds(kinds))


@router.get("/nearby", response_model=NearbyRead)
def find_nearby(
    lon: float | None = Query(None, description="经度 / longitude"),
    lat: float | None = Query(None, description="纬度 / latitude"),
    crs: str = Query("wgs84", max_length=16, description="wgs84 | gcj02 | bd09"),
    incident_id: str | None = Query(None, max_length=64, description="事件编号（代替经纬度）"),
    kinds: str | None = Query(
        None, max_length=100, description="teams,experts,warehouses,stations,videos（默认全部）"
    ),
    skill: str | None = Query(None, max_length=32, description="队伍技能"),
    specialty: str | None = Query(None, max_length=32, description="专家专业"),
    item: str | None = Query(None, max_length=32, description="物资编码"),
    quantity: str | None = Query(None, max_length=24, description="所需数量"),
    radius_m: float = Query(5000.0, gt=0, le=nearby.MAX_RADIUS_M),
    limit: int = Query(10, ge=1, le=nearby.MAX_LIMIT, description="每类最多条数"),
    available_only: bool = Query(True, description="只列待命队伍、可联系专家、在线视频"),
    _: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> NearbyRead:
    """周边资源: what is near a point (WGS-84, GCJ-02 or BD-09) or an incident, nearest first,
    with the stock of ``item`` at each warehouse and whether it covers ``quantity``."""
    wanted = nearby.parse_kinds(kinds)
    center_lon, center_lat = nearby.resolve_center(
        db, lon=lon, lat=lat, crs=crs, incident_id=incident_id
    )
    query = nearby.Query(
        kinds=wanted, radius_m=radius_m, limit=limit, skill=skill, specialty=specialty,
        item_code=item.upper() if item else None, quantity=quantity, available_only=available_only,
    )  # fmt: skip
    found = nearby.search(
        db, lon=center_lon, lat=center_lat, query=query, today=rules.local_date(utcnow())
    )
    return NearbyRead(
        center={"lon": center_lon, "lat": center_lat}, incident_id=incident_id, radius_m=radius_m,
        kinds=list(wanted), totals=found["totals"], results=found["results"],
    )  # fmt: skip
