"""Every response carries the security headers; CORS is closed unless configured."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.auth.helpers import app_with
from yingji.core.headers import content_security_policy

HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _directives(policy: str) -> dict[str, list[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/healthz", {}),
        ("get", "/api/v1/incidents", {}),  # 401
        ("get", "/api/v1/nothing-here", {}),  # 404
        ("post", "/api/v1/auth/token", {"data": {"username": "x", "password": "y"}}),  # 401
        ("post", "/api/v1/reports", {"json": {}}),  # the report fast path, before the stack
        ("get", "/", {}),
        ("get", "/openapi.json", {}),
    ],
)
def test_every_response_carries_the_headers(client, method, path, kwargs):
    resp = getattr(client, method)(path, **kwargs)
    for name, value in HEADERS.items():
        assert resp.headers[name] == value, (path, name)
    csp = _directives(resp.headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


def test_no_outside_host_without_a_base_map(client):
    policy = client.get("/healthz").headers["content-security-policy"]
    assert "http" not in policy  # no origin but 'self' anywhere


def test_the_api_docs_page_may_load_its_cdn_script_only_there(client):
    docs = client.get("/docs").headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net" in docs and "frame-ancestors 'none'" in docs
    assert "cdn.jsdelivr.net" not in client.get("/").headers["content-security-policy"]


def test_media_hosts_are_added_to_img_media_and_connect():
    csp = _directives(content_security_policy([], ["https://video.example.gov.cn"]))
    for name in ("img-src", "media-src", "connect-src"):
        assert "https://video.example.gov.cn" in csp[name]
    assert "https://video.example.gov.cn" not in csp["script-src"]


def test_cors_is_closed_by_default(client):
    resp = client.options(
        "/api/v1/incidents",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in resp.headers
    get = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in get.headers


def test_cors_opens_only_to_the_configured_origin(settings, demo):
    c = TestClient(app_with(settings, demo, cors_origins=["https://ops.example.gov.cn"]))
    ok = c.options(
        "/api/v1/incidents",
        headers={
            "Origin": "https://ops.example.gov.cn",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert ok.headers["access-control-allow-origin"] == "https://ops.example.gov.cn"
    other = c.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
