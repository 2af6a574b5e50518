"""People on the grid (issue 18 part 1): members with areas and lines of their own
sub-district only, stewards of points, and sub-district scoping for grid workers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete

from tests.grid.helpers import GANSHIQIAO, SHUNYULU, new_code
from yingji.patrol.models import GridMember, PointSteward


@pytest.fixture(scope="module")
def gsq(token_for):
    return token_for("subdistrict_operator", GANSHIQIAO)


@pytest.fixture(scope="module")
def gsq_worker(token_for):
    return token_for("grid_worker", GANSHIQIAO)


def _first(client, headers, kind: str, subdistrict: str) -> dict:
    resp = client.get(f"/api/v1/grid/{kind}?subdistrict={subdistrict}&limit=1", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["items"][0]


@pytest.fixture
def cleanup(demo) -> Iterator[list[str]]:
    codes: list[str] = []
    yield codes
    with demo.session() as s:
        s.execute(delete(GridMember).where(GridMember.code.in_(codes)))
        s.execute(delete(PointSteward).where(PointSteward.name.in_(codes)))
        s.commit()


def _member(code: str, subdistrict: str, areas: list[str], lines: list[str]) -> dict:
    return {
        "code": code, "name": "张网格", "kind": "patrol_officer", "phone": "13800000000",
        "subdistrict_code": subdistrict, "area_codes": areas, "line_codes": lines,
    }  # fmt: skip


def test_member_with_own_areas_and_lines(client, admin_headers, gsq, gsq_worker, cleanup):
    area = _first(client, admin_headers, "areas", GANSHIQIAO)
    line = _first(client, admin_headers, "lines", GANSHIQIAO)
    code = new_code("M")
    cleanup.append(code)
    resp = client.post(
        "/api/v1/patrol/members",
        json=_member(code, GANSHIQIAO, [area["code"]], [line["code"]]),
        headers=gsq,
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["area_codes"] == [area["code"]] and body["kind"] == "patrol_officer"
    # the grid worker of the same sub-district sees it; 舜玉路's does not
    assert client.get(f"/api/v1/patrol/members/{code}", headers=gsq_worker).status_code == 200
    assert code in {m["code"] for m in client.get("/api/v1/patrol/members", headers=gsq).json()}
    audit = client.get(
        f"/api/v1/audit?object_type=patrol_member&object_id={body['id']}", headers=admin_headers
    )
    assert audit.status_code == 200 and audit.json()["items"], audit.text
    dup = client.post("/api/v1/patrol/members", json=_member(code, GANSHIQIAO, [], []), headers=gsq)
    assert dup.status_code == 409


def test_member_refused_other_subdistrict(client, admin_headers, gsq, token_for, cleanup):
    foreign_area = _first(client, admin_headers, "areas", SHUNYULU)
    code = new_code("M")
    cleanup.append(code)
    # an area of 舜玉路 for a 杆石桥 member: refused, nothing written
    resp = client.post(
        "/api/v1/patrol/members",
        json=_member(code, GANSHIQIAO, [foreign_area["code"]], []),
        headers=admin_headers,
    )
    assert resp.status_code == 422 and resp.json()["field"] == "area_codes", resp.text
    # 杆石桥's operator cannot register a member of 舜玉路
    resp = client.post("/api/v1/patrol/members", json=_member(code, SHUNYULU, [], []), headers=gsq)
    assert resp.status_code == 422
    missing = client.post(
        "/api/v1/patrol/members",
        json=_member(code, GANSHIQIAO, [], ["NO-SUCH-LINE"]),
        headers=admin_headers,
    )
    assert missing.status_code == 422 and missing.json()["field"] == "line_codes"
    assert client.get(f"/api/v1/patrol/members/{code}", headers=admin_headers).status_code == 404
    # a grid worker cannot write, and 舜玉路's worker does not see 杆石桥's members
    worker = token_for("grid_worker", SHUNYULU)
    assert (
        client.post(
            "/api/v1/patrol/members", json=_member(code, SHUNYULU, [], []), headers=worker
        ).status_code
        == 403
    )


def test_stewards_of_a_point(client, admin_headers, gsq, cleanup):
    point = _first(client, admin_headers, "points", GANSHIQIAO)
    foreign = _first(client, admin_headers, "points", SHUNYULU)
    name = new_code("S")
    cleanup.append(name)
    body = {"role": "building_head", "name": name, "phone": "13900000000"}
    resp = client.post(f"/api/v1/patrol/points/{point['code']}/stewards", json=body, headers=gsq)
    assert resp.status_code == 201, resp.text
    assert resp.json()["subdistrict_code"] == GANSHIQIAO
    again = client.post(f"/api/v1/patrol/points/{point['code']}/stewards", json=body, headers=gsq)
    assert again.status_code == 409
    listed = client.get(f"/api/v1/patrol/points/{point['code']}/stewards", headers=gsq).json()
    assert name in {s["name"] for s in listed}
    other = client.post(f"/api/v1/patrol/points/{foreign['code']}/stewards", json=body, headers=gsq)
    assert other.status_code == 403
    bad = client.post(
        f"/api/v1/patrol/points/{point['code']}/stewards",
        json={"role": "mayor", "name": name},
        headers=gsq,
    )
    assert bad.status_code == 422
