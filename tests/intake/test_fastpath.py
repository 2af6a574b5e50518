"""``POST /api/v1/reports`` is answered by ``ReportFastPath`` ahead of FastAPI's middleware
stack and router: inside the body limit, with the route's guard and error bodies."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.intake.conftest import counts, report_body
from yingji.intake import fastpath


def _counting(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    real = fastpath.accept_report

    async def counting(request, principal):  # type: ignore[no-untyped-def]
        calls.append(request.url.path)
        return await real(request, principal)

    monkeypatch.setattr(fastpath, "accept_report", counting)
    return calls


def test_reports_go_through_the_fast_path_and_other_posts_do_not(
    client, admin_headers, monkeypatch
):
    calls = _counting(monkeypatch)
    bad = client.post("/api/v1/reports", headers=admin_headers, json={"channel": "nope"})
    assert bad.status_code == 422 and bad.json()["field"]
    assert calls == ["/api/v1/reports"]
    anonymous = client.post("/api/v1/reports", json={})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorized"
    assert calls == ["/api/v1/reports"]  # refused by the guard before the handler
    client.post("/api/v1/reports:batch", headers=admin_headers, json={"reports": []})
    assert calls == ["/api/v1/reports"]


def test_an_oversized_report_is_refused_before_the_handler(
    client, admin_headers, settings, spot, monkeypatch
):
    calls = _counting(monkeypatch)
    _, lon, lat = spot()
    body = json.dumps(report_body(lon, lat, extra={"blob": "x" * settings.max_body_bytes}))
    declared = client.post("/api/v1/reports", headers=admin_headers, content=body.encode())
    assert declared.status_code == 413 and declared.json()["code"] == "body_too_large"

    def chunks():  # no Content-Length: the limit counts what arrives
        data = body.encode()
        for i in range(0, len(data), 65536):
            yield data[i : i + 65536]

    chunked = client.post("/api/v1/reports", headers=admin_headers, content=chunks())
    assert chunked.status_code == 413 and chunked.json()["code"] == "body_too_large"
    assert calls == []


def test_an_unexpected_failure_answers_500_in_the_error_shape(
    app, demo, admin_headers, spot, monkeypatch
):
    async def broken(request, principal):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    before = counts(demo)
    _, lon, lat = spot()
    with TestClient(app, raise_server_exceptions=False) as c:
        monkeypatch.setattr(fastpath, "accept_report", broken)
        r = c.post("/api/v1/reports", headers=admin_headers, json=report_body(lon, lat))
        assert r.status_code == 500
        out = r.json()
        assert out["code"] == "internal_error" and out["message"] and out["message_en"]
        assert counts(demo) == before
        monkeypatch.undo()
        again = c.post("/api/v1/reports", headers=admin_headers, json=report_body(lon, lat))
        assert again.status_code == 201, again.text


def test_an_unexpected_failure_reaches_the_server_log(app, admin_headers, spot, monkeypatch):
    """After the 500 the error is raised on, so the server logs it (as Starlette does)."""

    async def broken(request, principal):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    _, lon, lat = spot()
    with TestClient(app) as c:
        monkeypatch.setattr(fastpath, "accept_report", broken)
        with pytest.raises(RuntimeError, match="boom"):
            c.post("/api/v1/reports", headers=admin_headers, json=report_body(lon, lat))


def test_the_path_is_found_behind_a_proxy_prefix() -> None:
    scope = {"type": "http", "method": "POST", "path": "/yj/api/v1/reports", "root_path": "/yj"}
    assert fastpath.is_report_post(scope)
    assert not fastpath.is_report_post({**scope, "path": "/yj/api/v1/reports:batch"})
    assert not fastpath.is_report_post({**scope, "method": "PUT"})


def test_other_methods_on_the_path_reach_the_router(client, admin_headers):
    resp = client.put("/api/v1/reports", headers=admin_headers, json={})
    assert resp.status_code == 405
    assert resp.json()["code"] == "method_not_allowed"
