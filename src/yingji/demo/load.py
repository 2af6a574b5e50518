"""Loading the demo district into an empty database, and the demo accounts.

One transaction: bulk inserts in foreign-key order, the grid revision, the accounts (created
through the audited auth service), one commit. A database that already has sub-districts is
left alone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import insert
from sqlalchemy.orm import Session

from yingji.audit.service import SYSTEM
from yingji.auth import service as auth
from yingji.auth.roles import ROLE_LABELS, ROLE_SCOPE, Role
from yingji.command.plans.service import load_demo_plans
from yingji.core.db import utcnow
from yingji.demo.district import DEFAULT_SEED, DemoDistrict, Row, generate_district
from yingji.demo.enterprises import DEMO_ENTERPRISE_CODE, load_enterprises_demo
from yingji.demo.hazards import load_hazards_demo
from yingji.demo.resources import load_resources_demo
from yingji.grid import service as grid
from yingji.grid.models import GridArea, GridLine, GridPoint
from yingji.org import service as org
from yingji.org.models import (
    Committee,
    Department,
    Headquarters,
    HeadquartersMember,
    LocalForce,
    Person,
    Subdistrict,
)
from yingji.resources.rules import local_date

PASSWORD_ENV = "YINGJI_DEMO_PASSWORD"
DEFAULT_PASSWORD = "yingji-demo"
CHUNK_ROWS = 1000  # rows per INSERT batch (progress granularity)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    scope_code: str | None
    display_name: str
    scope_label: str = ""


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin", Role.admin, None, "系统管理员"),
    DemoAccount("committee", Role.committee, None, "应急委领导"),
    DemoAccount(
        "hq_safety", Role.hq_commander, "HQ-SAFETY", "生产安全指挥部指挥", "生产安全指挥部"
    ),
    DemoAccount("duty", Role.duty_officer, None, "应急指挥中心值班员"),
    DemoAccount(
        "dept_em", Role.department_operator, "DEPT-EM", "区应急管理局操作员", "区应急管理局"
    ),
    DemoAccount(
        "gsq_operator", Role.subdistrict_operator, "370103003", "杆石桥街道操作员", "杆石桥街道"
    ),
    DemoAccount(
        "syl_operator", Role.subdistrict_operator, "370103012", "舜玉路街道操作员", "舜玉路街道"
    ),
    DemoAccount("gsq_grid", Role.grid_worker, "370103003", "杆石桥街道网格员", "杆石桥街道"),
    # the crew of 杆石桥街道's micro rescue station (one-key alarm, issue 17)
    DemoAccount("gsq_station", Role.station, "370103003", "杆石桥街道微型应急救援站", "杆石桥街道"),
    DemoAccount("enterprise", Role.enterprise_user, DEMO_ENTERPRISE_CODE, "企业安全员", "演示企业"),
    DemoAccount("viewer", Role.viewer, None, "只读用户"),
)


def demo_password() -> str:
    """The demo accounts' password: ``YINGJI_DEMO_PASSWORD`` or ``yingji-demo``."""
    return os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD


def load_demo(
    session: Session, *, seed: int = DEFAULT_SEED, console: Console | None = None
) -> bool:
    """Generate and insert the demo district and accounts; False if the database has data."""
    if not org.is_empty(session):
        return False
    started = time.perf_counter()
    with _progress(console) as progress:
        task = progress.add_task("生成演示街区 / generating", total=None)
        district = generate_district(seed)
        total = sum(len(rows) for _, rows in district.tables()) + len(DEMO_ACCOUNTS)
        progress.update(task, description="写入数据库 / inserting", total=total, completed=0)
        insert_district(session, district, lambda n: progress.advance(task, n))
        grid.bump_revision(session)
        progress.update(task, description="应急资源 / resources")
        load_resources_demo(session, seed=seed)
        progress.update(task, description="企业与风险点 / enterprises")
        today = local_date(utcnow())
        enterprises = load_enterprises_demo(session, seed=seed, today=today, district=district)
        load_hazards_demo(session, enterprises, enterprises.point_ids, seed=seed, today=today)
        progress.update(task, description="应急预案 / plans")
        load_demo_plans(session, actor=SYSTEM, now=utcnow())
        progress.update(task, description="创建演示账号 / accounts")
        _create_accounts(session, lambda n: progress.advance(task, n))
        session.commit()
        progress.update(task, description="完成 / done")
    if console is not None:
        elapsed_s = time.perf_counter() - started
        console.print(
            f"演示街区：{len(district.subdistricts)} 个街道和园区、{len(district.areas)} 个面、"
            f"{len(district.lines)} 条线、{len(district.points)} 个点，"
            f"用时 {elapsed_s:.2f} 秒 / loaded in {elapsed_s:.2f} s"
        )
    return True


def insert_district(
    session: Session, district: DemoDistrict, advance: Callable[[int], object] = lambda n: None
) -> None:
    """Bulk insert every row of ``district`` in foreign-key order (no commit).

    ``advance`` hears how many rows each batch wrote, for a progress bar.
    """
    # People first; their database ids replace the generator's ids in every *_id column.
    person_rows = [{k: v for k, v in p.items() if k != "id"} for p in district.persons]
    new_ids = session.scalars(
        insert(Person).returning(Person.id, sort_by_parameter_order=True), person_rows
    ).all()
    ids = {p["id"]: new for p, new in zip(district.persons, new_ids, strict=True)}
    advance(len(person_rows))

    def remap(rows: list[Row], *columns: str) -> list[Row]:
        return [{**r, **{c: ids[r[c]] for c in columns if r[c] is not None}} for r in rows]

    batches: list[tuple[Any, list[Row]]] = [
        (Committee, remap(district.committees, "first_director_id", "director_id")),
        (Department, remap(district.departments, "head_id")),
        (Headquarters, remap(district.headquarters, "commander_id", "office_director_id")),
        (HeadquartersMember, district.headquarters_members),
        # Sub-districts come before the parks that name them as parent.
        (Subdistrict, district.subdistricts),
        (LocalForce, remap(district.local_forces, "leader_id")),
        (GridArea, district.areas),
        (GridLine, district.lines),
        (GridPoint, district.points),
    ]
    for model, rows in batches:
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = rows[start : start + CHUNK_ROWS]
            session.execute(insert(model), chunk)
            advance(len(chunk))


def _create_accounts(session: Session, advance: Callable[[int], object]) -> None:
    session.flush()
    known = org.scope_codes(session)
    password = demo_password()
    for account in DEMO_ACCOUNTS:
        auth.create_user(
            session,
            username=account.username,
            password=password,
            role=account.role,
            scope_code=account.scope_code,
            known_scope_codes=known.get(ROLE_SCOPE[account.role].value),
            actor=SYSTEM,
            display_name=account.display_name,
        )
        advance(1)


@contextmanager
def _progress(console: Console | None) -> Iterator[Any]:
    """A Rich progress bar on ``console``, or a silent stand-in without one."""
    if console is None:
        yield _SilentProgress()
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        yield progress


class _SilentProgress:
    def add_task(self, *_: Any, **__: Any) -> int:
        return 0

    def update(self, *_: Any, **__: Any) -> None:
        return None

    def advance(self, *_: Any, **__: Any) -> None:
        return None


def print_accounts(console: Console) -> None:
    """The demo accounts as a table: who can log in as what."""
    table = Table(title="演示账号 / demo accounts")
    table.add_column("用户名 username", style="bold", no_wrap=True)
    table.add_column("角色 role", no_wrap=True)
    table.add_column("说明 / 范围 scope", overflow="fold")
    table.add_column("密码 password", no_wrap=True)
    password = demo_password()
    for account in DEMO_ACCOUNTS:
        zh, _ = ROLE_LABELS[account.role]
        scope = f"{account.scope_label} {account.scope_code}" if account.scope_code else "全区"
        table.add_row(account.username, account.role.value, f"{zh}：{scope}", password)
    console.print(table)
