"""The organisation "1 + 9 + N + 1" as the API shows it."""

from __future__ import annotations

SUBDISTRICTS = {
    "370103002": "大观园街道",
    "370103003": "杆石桥街道",
    "370103004": "四里村街道",
    "370103006": "魏家庄街道",
    "370103008": "二七街道",
    "370103009": "七里山街道",
    "370103010": "六里山街道",
    "370103012": "舜玉路街道",
    "370103014": "泺源街道",
    "370103015": "王官庄街道",
    "370103016": "舜耕街道",
    "370103017": "白马山街道",
    "370103018": "七贤街道",
    "370103019": "十六里河街道",
    "370103020": "兴隆街道",
    "370103021": "党家街道",
    "370103022": "陡沟街道",
}
HQ_WORDS = ["森林防灭火", "防汛抗旱", "地质灾害", "生产安全", "城市消防", "城乡建设", "生态环境",
            "公共卫生", "市场监管"]  # fmt: skip


def test_seventeen_subdistricts_with_their_codes_and_forces(client, token_for):
    page = client.get(
        "/api/v1/subdistricts?kind=subdistrict", headers=token_for("duty_officer")
    ).json()
    assert page["total"] == 17
    assert {s["code"]: s["name"] for s in page["items"]} == SUBDISTRICTS
    for s in page["items"]:
        assert s["local_force"] is not None
        assert s["local_force"]["leader"]["phone"]


def test_parks_have_local_forces_too(client, token_for):
    parks = client.get("/api/v1/subdistricts?kind=park", headers=token_for("viewer")).json()
    assert parks["total"] >= 1
    assert all(p["local_force"] for p in parks["items"])
    assert all(p["parent_code"] in SUBDISTRICTS for p in parks["items"])


def test_nine_headquarters_with_commander_office_and_members(client, token_for):
    hqs = client.get("/api/v1/org/headquarters", headers=token_for("committee")).json()
    assert len(hqs) == 9
    for word in HQ_WORDS:
        assert any(word in h["name"] for h in hqs), word
    for h in hqs:
        assert h["commander"]["title"]
        assert h["office_director"]["phone"]
        assert h["lead_department"]["name"]
        assert h["member_departments"]


def test_sixteen_departments_and_the_committee(client, token_for):
    headers = token_for("viewer")
    assert len(client.get("/api/v1/org/departments", headers=headers).json()) == 16
    committee = client.get("/api/v1/org/committee", headers=headers).json()
    assert committee["first_director"]["name"]
    assert committee["director"]["name"]
    assert len(committee["headquarters"]) == 9


def test_subdistrict_operator_sees_only_its_own_subdistrict(client, token_for):
    headers = token_for("subdistrict_operator", "370103003")
    page = client.get("/api/v1/subdistricts", headers=headers).json()
    assert [s["code"] for s in page["items"]] == ["370103003"]
    assert client.get("/api/v1/subdistricts/370103003", headers=headers).status_code == 200
    resp = client.get("/api/v1/subdistricts/370103012", headers=headers)
    assert resp.status_code == 403
    assert resp.json()["message"] == "无权访问其他街道的数据"


def test_grid_lists_are_scoped_to_the_operators_subdistrict(client, token_for):
    headers = token_for("subdistrict_operator", "370103003")
    for kind in ("areas", "lines", "points"):
        page = client.get(f"/api/v1/grid/{kind}?limit=5000", headers=headers).json()
        assert page["total"] > 0
        assert {i["subdistrict_code"] for i in page["items"]} == {"370103003"}
        other = client.get(f"/api/v1/grid/{kind}?subdistrict=370103012", headers=headers)
        assert other.status_code == 403


def test_grid_scale_of_the_demo_district(client, token_for):
    headers = token_for("duty_officer")
    totals = {
        k: client.get(f"/api/v1/grid/{k}?limit=1", headers=headers).json()["total"]
        for k in ("areas", "lines", "points")
    }
    assert totals == {"areas": 127, "lines": 322, "points": 4758}
    gsq = {
        k: client.get(f"/api/v1/grid/{k}?limit=1&subdistrict=370103003", headers=headers).json()[
            "total"
        ]
        for k in ("areas", "lines", "points")
    }
    assert gsq == {"areas": 8, "lines": 40, "points": 663}


def test_grid_items_carry_geojson_in_wgs84(client, token_for):
    headers = token_for("duty_officer")
    area = client.get("/api/v1/grid/areas?limit=1", headers=headers).json()["items"][0]
    assert area["geometry"]["type"] == "Polygon"
    lon, lat = area["geometry"]["coordinates"][0][0]
    assert 116.88 <= lon <= 117.08 and 36.50 <= lat <= 36.67
    point = client.get("/api/v1/grid/points?limit=1", headers=headers).json()["items"][0]
    assert point["geometry"] == {"type": "Point", "coordinates": [point["lon"], point["lat"]]}
    assert point["responsible_name"] and point["responsible_phone"]
