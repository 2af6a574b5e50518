"""Excel export of the filtered incident list."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook
from shapely.geometry import shape


def _post(client, headers, code: str, title: str, occurred_at: datetime) -> int:
    areas = client.get(f"/api/v1/grid/areas?subdistrict={code}", headers=headers).json()["items"]
    p = shape(areas[-1]["geometry"]).representative_point()
    body = {
        "channel": "public",
        "source_id": f"xlsx-{uuid.uuid4().hex}",
        "occurred_at": occurred_at.isoformat(),
        "title": title,
        "text": title,
        "location": {"lon": p.x, "lat": p.y},
        "casualties": {"injuries": 2},
    }
    resp = client.post("/api/v1/reports", json=body, headers=headers)
    assert resp.status_code == 201, resp.text
    return int(resp.json()["incident_id"])


def _sheet(resp):
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in resp.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) - 1 == int(resp.headers["x-row-count"])
    return rows[0], rows[1:]


def test_export_follows_the_filters_and_the_language(client, token_for):
    duty = token_for("duty_officer")
    at = datetime.now(UTC) - timedelta(days=20)
    title = f"煤气泄漏导出测试 {uuid.uuid4().hex[:6]}"
    incident_id = _post(client, duty, "370103019", title, at)

    since = (at - timedelta(minutes=1)).isoformat()
    until = (at + timedelta(minutes=1)).isoformat()
    query = {"since": since, "until": until, "subdistrict": "370103019"}
    header, rows = _sheet(
        client.get("/api/v1/dashboard/incidents.xlsx", params=query, headers=duty)
    )
    assert header[:4] == ("编号", "事件", "级别", "状态")
    mine = [r for r in rows if r[0] == incident_id]
    assert len(mine) == 1
    row = dict(zip(header, mine[0], strict=True))
    assert row["事件"] == title
    assert row["状态"] == "待甄别"
    assert row["街道"] == "十六里河街道"
    assert row["来源渠道"] == "社会反映"
    assert row["受伤"] == 2
    # Local time (UTC+8), as the duty officer reads it.
    local = at.astimezone(tz=None).astimezone(UTC) + timedelta(hours=8)
    assert abs((row["发生时间（北京时间）"] - local.replace(tzinfo=None)).total_seconds()) < 1

    header_en, rows_en = _sheet(
        client.get("/api/v1/dashboard/incidents.xlsx", params={**query, "lang": "en"}, headers=duty)
    )
    assert header_en[:4] == ("No.", "Incident", "Level", "Status")
    assert [r[3] for r in rows_en if r[0] == incident_id] == ["To screen"]

    # A filter that excludes it: closed incidents only.
    _, closed = _sheet(
        client.get(
            "/api/v1/dashboard/incidents.xlsx", params={**query, "status": "closed"}, headers=duty
        )
    )
    assert incident_id not in [r[0] for r in closed]


def test_a_subdistrict_operator_exports_only_their_own(client, token_for):
    duty = token_for("duty_officer")
    at = datetime.now(UTC) - timedelta(days=25)
    other = _post(client, duty, "370103020", f"导出范围测试 {uuid.uuid4().hex[:6]}", at)
    operator = token_for("subdistrict_operator", "370103022")
    _, rows = _sheet(client.get("/api/v1/dashboard/incidents.xlsx", headers=operator))
    assert other not in [r[0] for r in rows]
    assert {r[6] for r in rows} <= {"陡沟街道"}
    forbidden = client.get(
        "/api/v1/dashboard/incidents.xlsx?subdistrict=370103020", headers=operator
    )
    assert forbidden.status_code == 403


def test_unknown_filter_values_are_refused(client, token_for):
    resp = client.get("/api/v1/dashboard/incidents.xlsx?level=V", headers=token_for("viewer"))
    assert resp.status_code == 422
    assert resp.json()["field"] == "level"
    resp = client.get("/api/v1/dashboard/incidents.xlsx?status=lost", headers=token_for("viewer"))
    assert resp.status_code == 422
