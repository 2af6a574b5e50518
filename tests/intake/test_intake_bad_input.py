"""Bad input: each a clear error, and nothing written."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SHARED

from .conftest import counts, report_body

URL = "/api/v1/reports"


@pytest.fixture
def duty(token_for):  # type: ignore[no-untyped-def]
    return token_for("duty_officer")


@pytest.fixture
def place(spots):  # type: ignore[no-untyped-def]
    return spots[3]


def _refused(client, demo, duty, status, code, *, body=None, content=None, url=URL, ctype=None):  # type: ignore[no-untyped-def]
    before = counts(demo)
    headers = dict(duty)
    if ctype:
        headers["Content-Type"] = ctype
    r = client.post(url, json=body, content=content, headers=headers)
    assert r.status_code == status, r.text
    out = r.json()
    assert out["code"] == code, out
    assert out["message"] and out["message_en"]
    if status == 422:  # every 422 lists what is at fault in ``errors`` (review D6)
        assert out["errors"], out
    assert counts(demo) == before
    return out


def test_malformed_json(client, demo, duty):
    _refused(client, demo, duty, 400, "malformed_json", content=b'{"channel": "public",')
    _refused(client, demo, duty, 422, "invalid", content=b"[1, 2]")


def test_unknown_channel(client, demo, duty, place):
    out = _refused(
        client,
        demo,
        duty,
        422,
        "validation_error",
        body={**report_body(*place[1:]), "channel": "fax"},
    )
    assert out["field"] == "channel"


@pytest.mark.parametrize("missing", ["channel", "source_id", "occurred_at"])
def test_missing_required_fields(client, demo, duty, place, missing):
    body = report_body(*place[1:])
    del body[missing]
    out = _refused(client, demo, duty, 422, "validation_error", body=body)
    assert out["field"] == missing


def test_no_place_and_no_content(client, demo, duty, place):
    body = report_body(*place[1:])
    del body["location"]
    _refused(client, demo, duty, 422, "validation_error", body=body)
    _refused(
        client, demo, duty, 422, "validation_error", body={**report_body(*place[1:]), "text": " "}
    )


def test_naive_time_and_unknown_fields(client, demo, duty, place):
    _refused(
        client, demo, duty, 422, "validation_error",
        body={**report_body(*place[1:]), "occurred_at": "2026-08-18T09:00:00"},
    )  # fmt: skip
    _refused(
        client, demo, duty, 422, "validation_error", body={**report_body(*place[1:]), "colour": 1}
    )


@pytest.mark.parametrize(
    ("lon", "lat", "code"),
    [
        (200.0, 36.6, "out_of_range"),
        (117.0, 95.0, "out_of_range"),
        (100.0, 30.0, "outside_district"),
    ],
)
def test_coordinates_out_of_range_or_outside(client, demo, duty, lon, lat, code):
    _refused(client, demo, duty, 422, code, body=report_body(lon, lat))


def test_swapped_coordinates(client, demo, duty, place):
    _, lon, lat = place
    out = _refused(client, demo, duty, 422, "swapped_coordinates", body=report_body(lat, lon))
    assert "填反" in out["message"]


def test_unknown_category_code(client, demo, duty, place):
    _refused(
        client, demo, duty, 422, "unknown_category",
        body=report_body(*place[1:], category_code="99Z99"),
    )  # fmt: skip


def test_body_over_the_limit(client, demo, duty, place):
    body = report_body(*place[1:], extra={"blob": "x" * (1024 * 1024 + 10)})
    _refused(client, demo, duty, 413, "body_too_large", content=json.dumps(body).encode())


def test_injection_is_stored_verbatim_and_never_rendered(client, token_for, place):
    duty = token_for("duty_officer")
    evil_title = "<script>alert('x')</script>着火"
    evil_text = "'; DROP TABLE intake_report; -- 楼道着火了 <img src=x onerror=alert(1)>"
    r = client.post(
        URL, json=report_body(*place[1:], title=evil_title, text=evil_text), headers=duty
    )
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/json")
    detail = client.get(f"/api/v1/incidents/{r.json()['incident_id']}", headers=duty)
    rep = detail.json()["reports"][-1]
    assert rep["title"] == evil_title and rep["text"] == evil_text
    assert detail.headers["content-type"].startswith("application/json")
    # the table is still there
    assert client.get("/api/v1/incidents", headers=duty).status_code == 200


def test_cap_refusals_write_nothing(client, demo, token_for):
    duty = token_for("duty_officer")
    cap_dir = SHARED / "data" / "cap"
    for name, code in [
        ("testdata_xee.cap", "cap_dtd_forbidden"),
        ("testdata_earthquake.cap", "cap_version"),
        ("testdata_invalid.cap", "cap_schema"),
        ("thunderstorm.cap", "outside_district"),
    ]:
        _refused(
            client, demo, duty, 422, code, content=(cap_dir / name).read_bytes(),
            url="/api/v1/reports/cap", ctype="application/xml",
        )  # fmt: skip
    _refused(
        client, demo, duty, 422, "malformed_xml", content=b"<alert><oops>",
        url="/api/v1/reports/cap", ctype="application/xml",
    )  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        ('"TITLE"', "NaN"),  # not JSON (RFC 8259)
        ('"TITLE"', '"\\ud800"'),  # a lone surrogate: no Unicode text
        ('"TITLE"', "[" * 2000 + "]" * 2000),  # nested beyond 1,024 levels
        ('"TITLE"', "1e999"),  # a number no float holds
    ],
    ids=["nan", "lone-surrogate", "too-deep", "huge-number"],
)
def test_json_that_is_not_rfc_8259(client, demo, duty, place, change):
    body = json.dumps(report_body(*place[1:], title="TITLE")).replace(*change)
    out = _refused(client, demo, duty, 400, "malformed_json", content=body.encode())
    assert out["field"] == "body" and out["message_en"].startswith("Malformed JSON")


def test_a_byte_order_mark_is_ignored(client, duty, spot):
    """RFC 8259 lets a parser ignore a leading BOM, as Windows tools often write one."""
    _, lon, lat = spot()
    body = b"\xef\xbb\xbf" + json.dumps(report_body(lon, lat)).encode()
    r = client.post(URL, content=body, headers={**duty, "Content-Type": "application/json"})
    assert r.status_code == 201, r.text
