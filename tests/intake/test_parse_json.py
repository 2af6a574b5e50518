"""The report body parser gives the objects ``json.loads`` gives for any RFC 8259 document, so
a report's canonical hash (and with it replay detection) is unchanged by the parser."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from yingji.intake.prepare import canonical_hash
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
