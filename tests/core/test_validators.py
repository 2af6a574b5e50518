"""Phone numbers and GeoJSON: accepted forms, refused forms with reasons, and no crashes."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yingji.core.errors import ZhValueError
from yingji.core.validators import check_lon_lat, normalize_phone, parse_geometry

AREA = ("Polygon", "MultiPolygon")
LINE = ("LineString", "MultiLineString")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13912345678", "13912345678"),
        ("19912345678", "19912345678"),
        (" 139 1234 5678 ", "13912345678"),
        ("+86 139-1234-5678".replace("-", ""), "13912345678"),
        ("+8613912345678", "13912345678"),
        ("008613912345678", "13912345678"),
        ("8613912345678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        (13912345678, "13912345678"),
        (13912345678.0, "13912345678"),
        ("0531-86123456", "0531-86123456"),
        ("053186123456", "053186123456"),
        ("0531－86123456", "0531-86123456"),
        ("010-62345678", "010-62345678"),
        ("010-62345678-801", "010-62345678-801"),
        ("0531-8612345", "0531-8612345"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_numbers_accepted(raw: object, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "12912345678",  # no 12x mobile segment
        "1391234567",  # 10 digits
        "139123456789",  # 12 digits
        "0531-06123456",  # local number starting with 0
        "531-86123456",
        "53186123456",  # Excel dropped the leading 0
        "phone",
        "139 1234 567x",
        True,
        12.5,
        float("nan"),
        ["13912345678"],
        "1" * 50,
    ],
)
def test_phone_numbers_refused_with_reasons(raw: object) -> None:
    with pytest.raises(ZhValueError) as caught:
        normalize_phone(raw)
    assert caught.value.zh and str(caught.value)


def test_phone_required() -> None:
    with pytest.raises(ZhValueError):
        normalize_phone(" ", required=True)


def test_leading_zero_lost_in_excel_is_explained() -> None:
    with pytest.raises(ZhValueError) as caught:
        normalize_phone(53186123456)
    assert "0" in caught.value.zh and "Excel" in str(caught.value)


@given(st.one_of(st.text(max_size=60), st.integers(), st.floats(), st.none(), st.booleans()))
def test_phone_never_crashes_and_is_idempotent(raw: object) -> None:
    try:
        value = normalize_phone(raw)
    except ZhValueError as exc:
        assert exc.zh and str(exc)
        return
    assert value == "" or value[0] in "01"
    assert normalize_phone(value) == value


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mobile_number_is_accepted_unchanged(number: str) -> None:
    assert normalize_phone(number) == number


@given(st.from_regex(r"0(?:[12][0-9]|[3-9][0-9]{2})-?[2-9][0-9]{6,7}", fullmatch=True))
def test_every_landline_is_accepted_unchanged(number: str) -> None:
    assert normalize_phone(number) == number


SQUARE = [[[117.0, 36.6], [117.01, 36.6], [117.01, 36.61], [117.0, 36.61], [117.0, 36.6]]]


def test_polygon_parsed_to_shape_and_clean_geojson() -> None:
    parsed = parse_geometry({"type": "Polygon", "coordinates": SQUARE}, expected=AREA)
    assert parsed.shape.geom_type == "Polygon"
    assert parsed.geojson == {"type": "Polygon", "coordinates": SQUARE}
    again = parse_geometry(json.dumps(parsed.geojson), expected=AREA)
    assert again.geojson == parsed.geojson


def test_altitude_dropped() -> None:
    parsed = parse_geometry(
        {"type": "LineString", "coordinates": [[117.0, 36.6, 40], [117.1, 36.6, 41]]},
        expected=LINE,
    )
    assert parsed.geojson["coordinates"] == [[117.0, 36.6], [117.1, 36.6]]


@pytest.mark.parametrize(
    ("value", "word"),
    [
        ("{not json", "JSON"),
        ([1, 2], "GeoJSON"),
        ({"type": "Circle", "coordinates": []}, "未知"),
        ({"type": "Point", "coordinates": [117, 36]}, "Point"),
        ({"type": "Polygon"}, "coordinates"),
        ({"type": "Polygon", "coordinates": [[[117, 36], [118, 36], [118, 37]]]}, "4"),
        (
            {"type": "Polygon", "coordinates": [[[117, 36], [118, 36], [118, 37], [117, 37]]]},
            "闭合",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[117, 36], [118, 37], [118, 36], [117, 37], [117, 36]]],
            },
            "自相交",
        ),
        (
            {"type": "Polygon", "coordinates": [[[117, 36], [181, 36], [118, 37], [117, 36]]]},
            "经度",
        ),
        (
            {"type": "Polygon", "coordinates": [[[117, 36], [118, 91], [118, 37], [117, 36]]]},
            "纬度",
        ),
        (
            {"type": "Polygon", "coordinates": [[[117, "36"], [118, 36], [118, 37], [117, 36]]]},
            "数字",
        ),
        ({"type": "Polygon", "coordinates": [[117, 36]]}, "坐标应为"),
        ({"type": "Polygon", "coordinates": [117, 36]}, "嵌套"),
        ({"type": "MultiPolygon", "coordinates": []}, "为空"),
    ],
)
def test_geometry_refused_with_reasons(value: object, word: str) -> None:
    with pytest.raises(ZhValueError) as caught:
        parse_geometry(value, expected=AREA)
    assert word in caught.value.zh + str(caught.value)


def test_nan_and_zero_length_lines_refused() -> None:
    with pytest.raises(ZhValueError):
        parse_geometry('{"type":"LineString","coordinates":[[NaN,1],[2,2]]}', expected=LINE)
    with pytest.raises(ZhValueError, match="zero length"):
        parse_geometry({"type": "LineString", "coordinates": [[1, 1], [1, 1]]}, expected=LINE)


def test_deep_nesting_is_a_reason_not_a_crash() -> None:
    with pytest.raises(ZhValueError):
        parse_geometry('{"type":"Polygon","coordinates":' + "[" * 100_000 + "]" * 100_000 + "}",
                       expected=AREA)  # fmt: skip


def test_lon_lat_checked() -> None:
    assert check_lon_lat(117, 36.5) == (117.0, 36.5)
    for lon, lat in [(181, 0), (0, -91), (math.inf, 0), ("117", 36), (None, 1), (True, 1)]:
        with pytest.raises(ZhValueError):
            check_lon_lat(lon, lat)


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.booleans(),
    st.text(max_size=3),
    st.none(),
)
positions = st.lists(numbers, min_size=0, max_size=4)
json_like = st.recursive(
    st.one_of(numbers, positions),
    lambda children: st.one_of(
        st.lists(children, max_size=6),
        st.dictionaries(st.sampled_from(["type", "coordinates", "x"]), children, max_size=3),
    ),
    max_leaves=40,
)
types = st.sampled_from(
    ["Point", "LineString", "Polygon", "MultiPolygon", "MultiLineString", "MultiPoint", "X", 3]
)
plausible = st.fixed_dictionaries({"type": types, "coordinates": json_like})
small_rings = st.lists(
    st.lists(
        st.tuples(
            st.floats(min_value=116.9, max_value=117.1), st.floats(min_value=36.5, max_value=36.7)
        ).map(list),
        min_size=0,
        max_size=7,
    ),
    min_size=0,
    max_size=3,
)


@settings(max_examples=300)
@given(st.one_of(plausible, json_like, st.text(max_size=80), st.builds(json.dumps, plausible)))
def test_parse_geometry_never_crashes(value: object) -> None:
    for expected in (AREA, LINE, ("Point",)):
        try:
            parsed = parse_geometry(value, expected=expected)
        except ZhValueError as exc:
            assert exc.zh.startswith("几何无效") and str(exc).startswith("Invalid geometry")
            continue
        assert parsed.shape.is_valid and not parsed.shape.is_empty
        assert parsed.geojson["type"] in expected


@settings(max_examples=300)
@given(small_rings)
def test_random_polygons_are_either_valid_or_refused(rings: list[list[list[float]]]) -> None:
    closed = [r + r[:1] for r in rings]
    try:
        parsed = parse_geometry({"type": "Polygon", "coordinates": closed}, expected=AREA)
    except ZhValueError:
        return
    assert parsed.shape.is_valid
    assert parse_geometry(parsed.geojson, expected=AREA).geojson == parsed.geojson
