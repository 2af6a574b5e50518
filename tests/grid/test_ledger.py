"""Grid ledgers in and out (台账导入导出): round trips, bad rows, bad files, limits."""

from __future__ import annotations

import io
import json
import os
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from tests.grid.helpers import (
    GANSHIQIAO,
    SHUNYULU,
    audit_of,
    audit_total,
    first_area,
    grid_totals,
    inside,
    new_code,
)
from yingji.grid import ledger

KINDS = ("areas", "lines", "points")
SHEETS = {"areas": "网格面", "lines": "网格线", "points": "网格点"}


def _rows(content: bytes, kind: str) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book[SHEETS[kind]].iter_rows(values_only=True))
    book.close()
    return rows


def _column(ws: Any, header: str) -> int:
    for cell in ws[1]:
        if ledger.header_key(str(cell.value)) == ledger.header_key(header):
            return cell.column
    raise KeyError(header)


def _upload(client, kind, content, headers, name="ledger.xlsx", dry_run=False):
    return client.post(
        f"/api/v1/grid/{kind}/import" + ("?dry_run=true" if dry_run else ""),
        files={"file": (name, content)},
        headers=headers,
    )


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def gsq(token_for):
    return token_for("subdistrict_operator", GANSHIQIAO)


@pytest.mark.parametrize("kind", KINDS)
def test_xlsx_round_trip_changes_nothing(client, admin_headers, kind):
    exported = client.get(f"/api/v1/grid/{kind}/export", headers=admin_headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = exported.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="grid_')
    assert "filename*=UTF-8''" in disposition
    totals, audits = grid_totals(client, admin_headers), audit_total(client, admin_headers)

    resp = _upload(client, kind, exported.content, admin_headers)
    assert resp.status_code == 200, resp.text[:2000]
    result = resp.json()
    assert result["rows"] == totals[kind] == result["unchanged"]
    assert result["created"] == result["updated"] == 0
    assert grid_totals(client, admin_headers) == totals
    assert audit_total(client, admin_headers) == audits

    again = client.get(f"/api/v1/grid/{kind}/export", headers=admin_headers)
    assert _rows(again.content, kind) == _rows(exported.content, kind)


@pytest.mark.parametrize("kind", KINDS)
def test_geojson_round_trip_changes_nothing(client, admin_headers, kind):
    exported = client.get(f"/api/v1/grid/{kind}/export?format=geojson", headers=admin_headers)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/geo+json")
    collection = json.loads(exported.content)
    totals = grid_totals(client, admin_headers)
    assert len(collection["features"]) == totals[kind]
    audits = audit_total(client, admin_headers)

    resp = _upload(client, kind, exported.content, admin_headers, name="ledger.geojson")
    assert resp.status_code == 200, resp.text[:2000]
    assert resp.json()["unchanged"] == totals[kind]
    assert audit_total(client, admin_headers) == audits
    again = client.get(f"/api/v1/grid/{kind}/export?format=geojson", headers=admin_headers)
    assert again.content == exported.content


def test_export_sheet_is_laid_out_for_people(client, admin_headers):
    content = client.get(
        f"/api/v1/grid/points/export?subdistrict={GANSHIQIAO}", headers=admin_headers
    ).content
    book = load_workbook(io.BytesIO(content))
    ws = book["网格点"]
    headers = [c.value for c in ws[1]]
    for word in ("编码*", "名称*", "街道代码", "街道", "所属面", "类型*", "地址", "经度*", "纬度*",
                 "责任人", "职务", "联系电话", "巡查周期", "灭火器数量", "备注"):  # fmt: skip
        assert word in headers
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= 20
    kinds = {r[headers.index("类型*")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert "商铺" in kinds and "shop" not in kinds
    phones = [r[headers.index("联系电话")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(p, str) for p in phones)
    areas = load_workbook(
        io.BytesIO(client.get("/api/v1/grid/areas/export", headers=admin_headers).content)
    )["网格面"]
    area_headers = [c.value for c in areas[1]]
    assert {"户数", "人口", "几何(GeoJSON)*"} <= set(area_headers)


def test_edited_sheet_creates_and_updates_with_one_audit_row_each(client, gsq, admin_headers):
    content = client.get("/api/v1/grid/points/export", headers=gsq).content
    book = load_workbook(io.BytesIO(content))
    ws = book["网格点"]
    name_col, phone_col = _column(ws, "名称"), _column(ws, "联系电话")
    code_col = _column(ws, "编码")
    renamed, rephoned = ws.cell(2, code_col).value, ws.cell(3, code_col).value
    old_name = ws.cell(2, name_col).value
    ws.cell(2, name_col).value = old_name + "（更名）"
    ws.cell(3, phone_col).value = 13800000000  # typed as a number, as Excel users do
    area = first_area(client, admin_headers, GANSHIQIAO)
    lon, lat = inside(area)
    new = new_code("P")
    row = [None] * ws.max_column
    cells = {"编码": new, "名称": "新开药店", "街道": "杆石桥", "所属面": area["code"],
             "类型": "商铺", "经度": lon, "纬度": lat, "联系电话": "0531-86001234",
             "巡查周期": "每月"}  # fmt: skip
    for header, value in cells.items():
        row[_column(ws, header) - 1] = value
    ws.append(row)

    dry = _upload(client, "points", _saved(book), gsq, dry_run=True)
    assert dry.status_code == 200, dry.text[:2000]
    assert (dry.json()["created"], dry.json()["updated"], dry.json()["dry_run"]) == (1, 2, True)
    assert client.get(f"/api/v1/grid/points/{new}", headers=gsq).status_code == 404

    resp = _upload(client, "points", _saved(book), gsq)
    assert resp.status_code == 200, resp.text[:2000]
    assert (resp.json()["created"], resp.json()["updated"]) == (1, 2)
    assert resp.json()["unchanged"] == resp.json()["rows"] - 3
    created = client.get(f"/api/v1/grid/points/{new}", headers=gsq).json()
    assert created["subdistrict_code"] == GANSHIQIAO and created["patrol_cycle"] == "monthly"
    assert (
        client.get(f"/api/v1/grid/points/{rephoned}", headers=gsq).json()["responsible_phone"]
        == "13800000000"
    )

    me = client.get("/api/v1/auth/me", headers=gsq).json()
    for code, action in [(renamed, "update"), (rephoned, "update"), (new, "create")]:
        entries = audit_of(client, admin_headers, "grid_point", code)
        assert len(entries) == 1 and entries[0]["action"] == action
        assert entries[0]["actor_id"] == str(me["id"])
        assert entries[0]["after"]["code"] == code
    update = audit_of(client, admin_headers, "grid_point", renamed)[0]
    assert update["before"]["name"] == old_name
    assert update["after"]["name"] == old_name + "（更名）"

    client.patch(f"/api/v1/grid/points/{renamed}", json={"name": old_name}, headers=gsq)
    assert client.delete(f"/api/v1/grid/points/{new}", headers=gsq).status_code == 204


def test_bad_rows_are_each_reported_and_nothing_is_written(client, admin_headers):
    content = client.get(
        f"/api/v1/grid/points/export?subdistrict={GANSHIQIAO}", headers=admin_headers
    ).content
    book = load_workbook(io.BytesIO(content))
    ws = book["网格点"]
    col = {
        h: _column(ws, h) for h in ("编码", "名称", "所属面", "类型", "经度", "纬度", "联系电话")
    }
    foreign = client.get(
        f"/api/v1/grid/points?subdistrict={SHUNYULU}&limit=1", headers=admin_headers
    ).json()["items"][0]
    ws.cell(2, col["名称"]).value = "这一行本身没错，但不应写入"
    ws.cell(3, col["联系电话"]).value = "1380000"
    ws.cell(4, col["经度"]).value = foreign["lon"]
    ws.cell(4, col["纬度"]).value = foreign["lat"]
    ws.cell(5, col["所属面"]).value = "370103003-A99"
    ws.cell(6, col["名称"]).value = None
    ws.cell(7, col["类型"]).value = "游乐场"
    ws.cell(8, col["编码"]).value = ws.cell(9, col["编码"]).value
    codes = [ws.cell(r, col["编码"]).value for r in range(2, 10)]
    before = {
        c: client.get(f"/api/v1/grid/points/{c}", headers=admin_headers).json() for c in codes
    }
    totals, audits = grid_totals(client, admin_headers), audit_total(client, admin_headers)

    resp = _upload(client, "points", _saved(book), admin_headers)
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "import_invalid"
    assert "未写入任何数据" in body["message"] and "nothing written" in body["message_en"]
    found = {(e["row"], e["column"]) for e in body["errors"]}
    assert (3, "联系电话") in found
    assert (4, "经度") in found
    assert (5, "所属面") in found
    assert (6, "名称") in found
    assert (7, "类型") in found
    assert (9, "编码") in found  # repeats row 8
    assert not any(e["row"] == 2 for e in body["errors"])
    said: dict[int, str] = {}
    for e in body["errors"]:
        said[e["row"]] = said.get(e["row"], "") + e["message"]
    assert "电话" in said[3]
    assert next(e for e in body["errors"] if e["row"] == 3)["value"] == "1380000"
    assert "不在所属街道" in said[4] and "不在所属面" in said[4]
    assert "不存在" in said[5]
    assert "不能为空" in said[6]
    assert "点位类型" in said[7]
    assert "第 8 行" in said[9]
    assert all(e["message_en"] for e in body["errors"])

    assert grid_totals(client, admin_headers) == totals
    assert audit_total(client, admin_headers) == audits
    for code, item in before.items():
        if item.get("code"):
            assert client.get(f"/api/v1/grid/points/{code}", headers=admin_headers).json() == item


def test_bad_area_geometry_and_line_reference_reported(client, admin_headers):
    content = client.get(
        f"/api/v1/grid/lines/export?subdistrict={GANSHIQIAO}", headers=admin_headers
    ).content
    book = load_workbook(io.BytesIO(content))
    ws = book["网格线"]
    geo, area = _column(ws, "几何(GeoJSON)"), _column(ws, "所属面")
    ws.cell(2, geo).value = '{"type":"Polygon","coordinates":[]}'
    ws.cell(3, geo).value = "not json"
    other = first_area(client, admin_headers, SHUNYULU)
    ws.cell(4, area).value = other["code"]
    resp = _upload(client, "lines", _saved(book), admin_headers)
    assert resp.status_code == 422
    by_row = {e["row"]: e for e in resp.json()["errors"]}
    assert by_row[2]["column"] == "几何(GeoJSON)" and "几何类型" in by_row[2]["message"]
    assert "JSON" in by_row[3]["message"]
    assert by_row[4]["column"] == "所属面" and "其他街道" in by_row[4]["message"]


def test_wrong_or_missing_column_is_a_clear_error(client, admin_headers):
    content = client.get(
        f"/api/v1/grid/points/export?subdistrict={GANSHIQIAO}", headers=admin_headers
    ).content
    book = load_workbook(io.BytesIO(content))
    ws = book["网格点"]
    ws.cell(1, _column(ws, "联系电话")).value = "联系电弧"
    resp = _upload(client, "points", _saved(book), admin_headers)
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "bad_columns" and "联系电弧" in body["message"]
    assert "编码" in body["message"]  # the expected headers are listed

    book = load_workbook(io.BytesIO(content))
    ws = book["网格点"]
    ws.delete_cols(_column(ws, "经度"))
    resp = _upload(client, "points", _saved(book), admin_headers)
    assert resp.status_code == 422
    assert resp.json()["errors"][0]["code"] == "missing_column"
    assert "经度" in resp.json()["message"]


def test_title_rows_above_the_header_and_full_width_headers(client, admin_headers):
    area = first_area(client, admin_headers, GANSHIQIAO)
    lon, lat = inside(area)
    code = new_code("P")
    book = Workbook()
    ws = book.active
    ws.append(["杆石桥街道网格点台账"])
    ws.append([])
    ws.append(["编码", "名称", "街道", "所属面", "类型", "经度", "纬度", "联系电话"])
    ws.append([code, "标题行测试", "杆石桥街道", area["code"], "学校", lon, lat, None])
    resp = _upload(client, "points", _saved(book), admin_headers, dry_run=True)
    assert resp.status_code == 200, resp.text
    assert resp.json()["created"] == 1

    geojson = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "编码": code,
                    "名称": "中文属性",
                    "类型": "学校",
                    "街道代码": GANSHIQIAO,
                },
            }
        ],
    }
    resp = _upload(
        client, "points", json.dumps(geojson, ensure_ascii=False).encode(), admin_headers,
        name="x.json", dry_run=True,
    )  # fmt: skip
    assert resp.status_code == 200, resp.text
    assert client.get(f"/api/v1/grid/points/{code}", headers=admin_headers).status_code == 404


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (os.urandom(4096), "unsupported_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(512), "unsupported_file"),
        (b"PK\x03\x04" + os.urandom(2048), "unreadable_file"),
        (b"", "empty_file"),
        (b'{"type": "Feature"}', "unreadable_file"),
        (b'{"type": "FeatureCollection", "features": [', "unreadable_file"),
    ],
)
def test_files_that_are_not_ledgers_are_refused(client, admin_headers, content, code):
    totals = grid_totals(client, admin_headers)
    resp = _upload(client, "points", content, admin_headers)
    assert resp.status_code == 422
    assert resp.json()["code"] == code
    assert resp.json()["message"] and resp.json()["message_en"]
    assert grid_totals(client, admin_headers) == totals


def test_zip_of_something_else_is_refused(client, admin_headers):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "不是工作簿")
    resp = _upload(client, "points", out.getvalue(), admin_headers)
    assert resp.status_code == 422 and resp.json()["code"] == "unreadable_file"


def test_compressed_bomb_is_refused_before_parsing(client, admin_headers):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (40 * 1024 * 1024))
    assert len(out.getvalue()) < 200_000
    resp = _upload(client, "points", out.getvalue(), admin_headers)
    assert resp.status_code == 422 and resp.json()["code"] == "file_too_large"


def test_row_cap(client, admin_headers, monkeypatch):
    monkeypatch.setattr(ledger, "MAX_ROWS", 20)
    book = Workbook(write_only=True)
    ws = book.create_sheet("网格点")
    ws.append(["编码", "名称", "街道代码", "类型", "经度", "纬度"])
    for i in range(21):
        ws.append([f"X{i}", "点", GANSHIQIAO, "shop", 117.0, 36.6])
    resp = _upload(client, "points", _saved(book), admin_headers)
    assert resp.status_code == 422 and resp.json()["code"] == "too_many_rows"
    assert "20" in resp.json()["message"]


def test_wrong_sheet_kind_is_named(client, admin_headers):
    content = client.get("/api/v1/grid/areas/export", headers=admin_headers).content
    resp = _upload(client, "points", content, admin_headers)
    assert resp.status_code == 422 and resp.json()["code"] == "wrong_sheet"
    assert "网格面" in resp.json()["message"]


def test_whole_grid_workbook_imports_sheet_by_sheet(client, admin_headers):
    content = client.get(
        f"/api/v1/grid/export?subdistrict={GANSHIQIAO}", headers=admin_headers
    ).content
    for kind in KINDS:
        resp = _upload(client, kind, content, admin_headers, dry_run=True)
        assert resp.status_code == 200, resp.text[:1000]
        assert resp.json()["unchanged"] == resp.json()["rows"] > 0


def test_upload_limit_applies_to_import_and_json_limit_elsewhere(client, admin_headers, settings):
    big = b"\0" * (settings.max_upload_bytes + 1)
    resp = _upload(client, "points", big, admin_headers)
    assert resp.status_code == 413 and resp.json()["code"] == "body_too_large"
    # A body over the ordinary 1 MiB limit but under the upload limit reaches the importer...
    medium = os.urandom(settings.max_body_bytes + 1024)
    assert _upload(client, "points", medium, admin_headers).status_code == 422
    # ...while the same size sent to an ordinary endpoint is refused.
    resp = client.post(
        "/api/v1/grid/points",
        content=b'{"name": "' + b"x" * (settings.max_body_bytes + 1024) + b'"}',
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert resp.status_code == 413


def test_grid_worker_cannot_import(client, token_for):
    resp = _upload(client, "points", b"{}", token_for("grid_worker", GANSHIQIAO))
    assert resp.status_code == 403
