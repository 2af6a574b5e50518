"""CAP 1.2: safe parsing, schema validation, mapping into reports (pure, no database)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from yingji.core.errors import ApiError
from yingji.intake import cap
from yingji.intake.categories import resources

CAP_DIR = SHARED / "data" / "cap"
VALID = [
    "cap_amber_alert_example.xml",
    "testdata_australia.cap",
    "testdata_canada.cap",
    "testdata_canada_errors.cap",
    "testdata_earthquake-iso8859-1.cap",
    "testdata_wcatwc-warning.cap",
    "thunderstorm.cap",
]
REFUSED = {
    "testdata_earthquake.cap": "cap_version",
    "testdata_invalid.cap": "cap_schema",
    "testdata_xee.cap": "cap_dtd_forbidden",
}


def test_every_shared_file_is_covered():
    files = {p.name for p in CAP_DIR.iterdir()} - {"README.md", "cap12.xsd"}
    assert files == set(VALID) | set(REFUSED)


def test_packaged_schema_is_the_oasis_schema():
    ours = resources.files("yingji.intake").joinpath("data/cap12.xsd").read_bytes()
    assert ours == (CAP_DIR / "cap12.xsd").read_bytes()


@pytest.mark.parametrize("name", VALID)
def test_valid_messages_map_to_reports(name: str):
    root = cap.parse((CAP_DIR / name).read_bytes())
    reports = cap.to_reports(root)
    assert reports
    for r in reports:
        assert r.level in {"I", "II", "III", "IV"}
        assert r.source_id.startswith(r.extra["cap"]["sender"])
        assert r.occurred_at.tzinfo is not None
        assert (r.lon is None) == (r.lat is None)


@pytest.mark.parametrize(("name", "code"), REFUSED.items())
def test_refused_messages(name: str, code: str):
    with pytest.raises(ApiError) as exc:
        cap.parse((CAP_DIR / name).read_bytes())
    assert exc.value.code == code and exc.value.status == 422


def test_geometry_and_severity_mapping():
    storm = cap.to_reports(cap.parse((CAP_DIR / "thunderstorm.cap").read_bytes()))[0]
    assert storm.level == "II"  # Severe
    assert -120.15 < storm.lon < -119.7 and 38.3 < storm.lat < 38.7  # polygon centroid, lon first
    fire = cap.to_reports(cap.parse((CAP_DIR / "testdata_australia.cap").read_bytes()))[0]
    assert (fire.lon, fire.lat) == (147.0598, -35.3888)
    assert fire.extra["cap"]["radius_km"] == 25.0


def test_internal_entity_expansion_is_refused():
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&b;</identifier></alert>"""
    with pytest.raises(ApiError) as exc:
        cap.parse(bomb)
    assert exc.value.code == "cap_dtd_forbidden"


def test_gbt_event_code_wins():
    xml = (
        (CAP_DIR / "thunderstorm.cap")
        .read_text("utf-8")
        .replace(
            "<valueName>SAME</valueName> \n     <value>SVR</value>",
            "<valueName>GB/T 35561</valueName><value>11B20</value>",
        )
    )
    assert "11B20" in xml
    assert cap.to_reports(cap.parse(xml.encode()))[0].category_code == "11B20"


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300))
def test_garbage_is_refused_cleanly(data: bytes):
    try:
        cap.to_reports(cap.parse(data))
    except ApiError as exc:
        assert exc.status == 422 and exc.code.startswith(("malformed_xml", "cap_"))
