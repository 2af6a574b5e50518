"""The report body parser gives the objects ``json.loads`` gives for any RFC 8259 document, so
a report's canonical hash (and with it replay detection) is unchanged by the parser."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from yingji.intake.canonical import canonical_hash, canonical_text
from yingji.intake.views import _parse_json

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30,
)


@given(st.dictionaries(st.text(), documents, max_size=8), st.booleans())
def test_same_objects_and_hash_as_json_loads(payload, ascii_only) -> None:
    raw = json.dumps(payload, ensure_ascii=ascii_only).encode()
    ours = _parse_json(raw)
    assert ours == json.loads(raw)
    assert canonical_hash(ours) == canonical_hash(json.loads(raw))
    # the same types too (1 stays int, 1.0 stays float): the hash text depends on them
    assert json.dumps(ours, sort_keys=True) == json.dumps(json.loads(raw), sort_keys=True)


def _as_stored_hashes_define_it(payload) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@given(st.dictionaries(st.text(), documents, max_size=8))
def test_the_canonical_text_is_json_dumps_byte_for_byte(payload) -> None:
    """Stored body hashes were made with ``json.dumps``: the faster text must not move one
    byte, or every retry of an old report would be refused as a reused id."""
    assert canonical_text(payload) == _as_stored_hashes_define_it(payload)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_is_written_as_json_dumps_writes_it(value: float) -> None:
    payload = {"direct_loss_cny": value, "extra": [value, {"x": -value}]}
    assert canonical_text(payload) == _as_stored_hashes_define_it(payload)


def test_where_orjson_differs_json_dumps_writes_it() -> None:
    for payload in (
        {"v": 1e-05},  # orjson: 0.00001
        {"v": 2.5e-07},  # orjson: 2.5e-7
        {"v": 2**64},  # beyond orjson's integers
        {"b": 1e16, "a": '\x1f\u2028"\\/', "中": "文"},
    ):
        assert canonical_text(payload) == _as_stored_hashes_define_it(payload), payload


def test_this_orjson_writes_the_sentinel_floats_as_json_dumps() -> None:
    """orjson before 3.11.7 wrote 1e16 as ``1e16``: with such a version the fast path is off
    (and pyproject asks for 3.11.7 or later)."""
    from yingji.intake import canonical

    assert canonical._orjson_agrees() and canonical._FAST


def test_text_that_merely_looks_like_an_exponent_keeps_the_fast_path() -> None:
    """Only numbers trigger the fallback: 'e-' inside strings (e-mail, a UUID) does not."""
    import orjson

    from yingji.intake import canonical

    text = orjson.dumps(
        {"text": "one-way e-mail 0.00001", "source_id": "3fe-4b1e-0.0000"},
        option=orjson.OPT_SORT_KEYS,
    )
    assert canonical._ORJSON_MAY_DIFFER.search(text) is None
    for number in (b'{"a":1e-7}', b'{"a":[0.00001]}', b'{"a":[1,-2.5e-8]}', b'{"a":-0.00009}'):
        assert canonical._ORJSON_MAY_DIFFER.search(number) is not None, number
