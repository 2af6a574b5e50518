"""The one error shape: code, Chinese and English messages, the field at fault."""

from __future__ import annotations


def _assert_shape(body: dict) -> None:
    assert set(body) >= {"code", "message", "message_en", "field", "errors"}
    assert body["message"] and body["message_en"]


def test_health_needs_no_login(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json()["status"] == "ok"
    assert resp.json()["database"] is True


def test_openapi_is_served(client):
    resp = client.get("/openapi.json")
    assert resp.status_code == 200
    paths = resp.json()["paths"]
    assert "/api/v1/auth/token" in paths
    assert "/api/v1/grid/points" in paths
    assert client.get("/docs").status_code == 200


def test_unknown_route_is_json_404(client, admin_headers):
    resp = client.get("/api/v1/no-such-thing", headers=admin_headers)
    assert resp.status_code == 404
    _assert_shape(resp.json())
    assert resp.json()["code"] == "not_found"


def test_wrong_type_names_the_field_in_both_languages(client, admin_headers):
    resp = client.get("/api/v1/grid/points?limit=abc", headers=admin_headers)
    assert resp.status_code == 422
    body = resp.json()
    _assert_shape(body)
    assert body["field"] == "limit"
    assert body["errors"][0]["message"] == "应为整数"
    assert "integer" in body["errors"][0]["message_en"]


def test_out_of_range_page_size_is_refused(client, admin_headers):
    resp = client.get("/api/v1/grid/points?limit=0", headers=admin_headers)
    assert resp.status_code == 422
    assert resp.json()["field"] == "limit"


def test_malformed_json_is_400(client, admin_headers):
    resp = client.post(
        "/api/v1/users",
        content=b'{"username": "x", ',
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert resp.status_code == 400
    assert resp.json()["code"] == "malformed_json"


def test_unknown_fields_are_refused_where_they_matter(client, admin_headers):
    resp = client.post(
        "/api/v1/users",
        json={"username": "someone", "password": "long-enough-1", "role": "viewer", "is_root": 1},
        headers=admin_headers,
    )
    assert resp.status_code == 422
    assert resp.json()["field"] == "is_root"
    assert resp.json()["errors"][0]["message"] == "不允许的字段"


def test_oversized_body_is_413_and_writes_nothing(client, admin_headers):
    before = client.get("/api/v1/users?limit=1", headers=admin_headers).json()["total"]
    big = "x" * (2 * 1024 * 1024)
    resp = client.post(
        "/api/v1/users",
        json={"username": "huge", "password": big, "role": "viewer"},
        headers=admin_headers,
    )
    assert resp.status_code == 413
    _assert_shape(resp.json())
    assert resp.json()["code"] == "body_too_large"
    assert client.get("/api/v1/users?limit=1", headers=admin_headers).json()["total"] == before


def test_oversized_chunked_body_is_413(client, admin_headers):
    def chunks():
        for _ in range(40):
            yield b"x" * 65536

    resp = client.post(
        "/api/v1/users",
        content=chunks(),
        headers={**admin_headers, "Content-Type": "application/json"},
    )
    assert resp.status_code == 413
