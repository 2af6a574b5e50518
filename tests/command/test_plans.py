"""Plans: the demo set, YAML export and import, versions, clear errors."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.command.plans import document

DEMO_CODES = {
    "PLAN-FLOOD", "PLAN-HAZCHEM", "PLAN-FOREST-FIRE", "PLAN-GEOHAZARD", "PLAN-URBAN-FIRE",
    "PLAN-ENVIRONMENT",
}  # fmt: skip
YAML = "application/yaml"


def _minimal(code: str, title: str = "赶赴现场") -> str:
    return f"""
code: {code}
name: 测试预案
headquarters: HQ-SAFETY
applies_to:
  categories: ["21A03"]
response_levels:
  - level: IV
    lead: {{type: office, code: HQ-SAFETY, title: 办公室主任}}
    parties:
      - type: department
        code: DEPT-FIRE
        actions:
          - {{title: {title}, deadline_min: 20}}
"""


def test_demo_plans_listed_for_everyone(client, token_for) -> None:
    r = client.get("/api/v1/plans", headers=token_for("viewer"))
    assert r.status_code == 200, r.text
    codes = {p["code"] for p in r.json()["items"]}
    assert codes >= DEMO_CODES
    hazchem = next(p for p in r.json()["items"] if p["code"] == "PLAN-HAZCHEM")
    assert hazchem["name"] == "危险化学品生产安全事故应急预案"
    assert hazchem["headquarters_code"] == "HQ-SAFETY"


def test_hazchem_plan_names_the_18_august_parties(client, admin_headers, plan_id) -> None:
    body = client.get(f"/api/v1/plans/{plan_id('PLAN-HAZCHEM')}", headers=admin_headers).json()
    level_iv = next(r for r in body["body"]["response_levels"] if r["level"] == "IV")
    parties = {(p["type"], p.get("code") or p.get("specialty")) for p in level_iv["parties"]}
    assert {
        ("department", "DEPT-FIRE"), ("department", "DEPT-WATER"), ("department", "DEPT-ECO"),
        ("department", "DEPT-AGRI"), ("subdistrict", "incident"), ("team", "TEAM-SOC-05"),
        ("expert", "危化"),
    } <= parties  # fmt: skip


def test_yaml_export_round_trips(client, admin_headers, plan_id) -> None:
    pid = plan_id("PLAN-FLOOD")
    r = client.get(f"/api/v1/plans/{pid}/yaml", headers=admin_headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/yaml")
    assert "防汛应急综合预案" in r.text  # Chinese kept readable, not escaped
    again = client.post(
        "/api/v1/plans:import", content=r.text.encode(), headers={**admin_headers,
        "Content-Type": YAML},
    )  # fmt: skip
    assert again.status_code == 201, again.text
    assert again.json()["created"] is False  # unchanged: no new version


def test_edit_makes_a_new_version_and_keeps_the_old(client, admin_headers) -> None:
    h = {**admin_headers, "Content-Type": YAML}
    r1 = client.post("/api/v1/plans:import", content=_minimal("T-VERS").encode(), headers=h)
    assert r1.status_code == 201, r1.text
    assert r1.json()["version"] == 1 and r1.json()["created"]
    pid = r1.json()["plan"]["id"]
    r2 = client.post(
        "/api/v1/plans:import", content=_minimal("T-VERS", "到场并警戒").encode(), headers=h,
        params={"note": "总结评估后修订", "expect_version": 1},
    )  # fmt: skip
    assert r2.status_code == 201 and r2.json()["version"] == 2
    versions = client.get(f"/api/v1/plans/{pid}/versions", headers=admin_headers).json()
    assert [v["version"] for v in versions] == [2, 1]
    titles = [
        v["body"]["response_levels"][0]["parties"][0]["actions"][0]["title"] for v in versions
    ]
    assert titles == ["到场并警戒", "赶赴现场"]
    old = client.get(f"/api/v1/plans/{pid}", params={"version": 1}, headers=admin_headers)
    assert old.json()["version"] == 1
    # an editor who started from version 1 cannot overwrite version 2
    stale = client.post(
        "/api/v1/plans:import", content=_minimal("T-VERS", "又改").encode(), headers=h,
        params={"expect_version": 1},
    )  # fmt: skip
    assert stale.status_code == 409
    assert stale.json()["code"] == "plan_version_moved"


def test_malformed_yaml_names_the_line(client, admin_headers) -> None:
    bad = "code: X\nname: [unclosed\napplies_to: {}\n"
    r = client.post(
        "/api/v1/plans:import", content=bad.encode(), headers={**admin_headers,
        "Content-Type": YAML},
    )  # fmt: skip
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "invalid_plan"
    assert body["errors"][0]["line"] is not None
    assert "YAML" in body["message"] and "YAML" in body["message_en"]


def test_field_errors_have_lines_in_both_languages(client, admin_headers) -> None:
    text = _minimal("T-BAD").replace("deadline_min: 20", "deadline_min: -5")
    r = client.post(
        "/api/v1/plans:import", content=text.encode(), headers={**admin_headers,
        "Content-Type": YAML},
    )  # fmt: skip
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["field"] == "response_levels.0.parties.0.actions.0.deadline_min"
    assert (
        err["line"]
        == text.splitlines().index(next(ln for ln in text.splitlines() if "deadline_min: -5" in ln))
        + 1
    )
    assert err["message"] and err["message_en"]


def test_unknown_codes_are_refused_with_lines(client, admin_headers) -> None:
    text = _minimal("T-REF").replace("DEPT-FIRE", "DEPT-NOPE")
    r = client.post(
        "/api/v1/plans:import", content=text.encode(), headers={**admin_headers,
        "Content-Type": YAML},
    )  # fmt: skip
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["code"] == "unknown_reference"
    assert "DEPT-NOPE" in err["message"] and "DEPT-NOPE" in err["message_en"]
    assert err["line"] == text.splitlines().index("        code: DEPT-NOPE") + 1
    assert (
        client.get("/api/v1/plans", params={"q": "T-REF"}, headers=admin_headers).json()["total"]
        == 0
    )


def test_json_editor_saves_a_version(client, admin_headers) -> None:
    doc = yaml.safe_load(_minimal("T-JSON"))
    r = client.post("/api/v1/plans", json={"document": doc}, headers=admin_headers)
    assert r.status_code == 201, r.text
    doc["response_levels"][0]["parties"][0]["actions"].append(
        {"title": "完成处置", "deadline_min": 60}
    )
    r2 = client.post(
        "/api/v1/plans", json={"document": doc, "expect_version": 1}, headers=admin_headers
    )
    assert r2.json()["version"] == 2


def test_only_planners_write_plans(client, token_for) -> None:
    r = client.post(
        "/api/v1/plans:import", content=_minimal("T-ROLE").encode(),
        headers={**token_for("department_operator", "DEPT-FIRE"), "Content-Type": YAML},
    )  # fmt: skip
    assert r.status_code == 403


def test_yaml_is_loaded_safely() -> None:
    hostile = "!!python/object/apply:os.system ['echo hi']\n"
    try:
        document.parse_yaml(hostile)
    except Exception as exc:
        assert getattr(exc, "code", "") == "invalid_plan"
    else:  # pragma: no cover
        raise AssertionError("unsafe YAML accepted")


_titles = st.text(
    alphabet=st.characters(whitelist_categories=("Lo", "Lu", "Ll", "Nd")), min_size=1, max_size=20
)


@settings(max_examples=40, deadline=None)
@given(
    titles=st.lists(_titles, min_size=1, max_size=5),
    minutes=st.lists(st.integers(0, 10080), min_size=5, max_size=5),
    levels=st.sets(st.sampled_from(document.LEVELS), min_size=1),
)
def test_yaml_round_trip_property(titles: list[str], minutes: list[int], levels: set[str]) -> None:
    data = {
        "code": "P-PROP",
        "name": "性质测试",
        "applies_to": {"categories": ["21A"]},
        "response_levels": [
            {
                "level": lv,
                "lead": {"type": "committee", "title": "主任"},
                "parties": [
                    {
                        "type": "department",
                        "code": "DEPT-EM",
                        "actions": [
                            {"title": t, "deadline_min": minutes[i % 5]}
                            for i, t in enumerate(titles)
                        ],
                    }
                ],
            }
            for lv in sorted(levels)
        ],
    }
    doc = document.validate(data)
    again, _ = document.from_yaml(document.to_yaml(doc))
    assert again == doc
