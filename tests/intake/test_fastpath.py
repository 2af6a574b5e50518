"""The reports path is answered by ``ReportFastPath``, inside the body limit, like the route."""

from __future__ import annotations

from yingji.core.bodylimit import BodyLimitMiddleware
from yingji.intake import fastpath


def test_the_fast_path_sits_inside_the_body_limit(app):
    order = [m.cls for m in app.user_middleware]  # outermost first
    assert order.index(BodyLimitMiddleware) < order.index(fastpath.ReportFastPath)


def test_reports_go_through_the_fast_path_and_other_posts_do_not(
    client, admin_headers, monkeypatch
):
    calls: list[str] = []
    real = fastpath.accept_report

    async def counting(request, principal):  # type: ignore[no-untyped-def]
        calls.append(request.url.path)
        return await real(request, principal)

    monkeypatch.setattr(fastpath, "accept_report", counting)
    bad = client.post("/api/v1/reports", headers=admin_headers, json={"channel": "nope"})
    assert bad.status_code == 422 and bad.json()["field"]
    assert calls == ["/api/v1/reports"]
    anonymous = client.post("/api/v1/reports", json={})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorized"
    assert calls == ["/api/v1/reports"]  # refused by the guard before the handler
    client.post("/api/v1/reports:batch", headers=admin_headers, json={"reports": []})
    assert calls == ["/api/v1/reports"]


def test_other_methods_on_the_path_reach_the_router(client, admin_headers):
    resp = client.put("/api/v1/reports", headers=admin_headers, json={})
    assert resp.status_code == 405
