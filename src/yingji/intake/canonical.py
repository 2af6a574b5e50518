"""A report's canonical JSON and its hash: how a retry is told from a reused ``source_id``.

Stored body hashes were made from ``json.dumps`` with sorted keys, no ASCII escaping and no
spaces, in UTF-8; they must never change, or every retry of an old report would be refused
as a reused id. orjson writes the very same bytes for the documents a report body parses to
(keys in code-point order, the same escapes, the same shortest floats), five times as fast,
except floats below 1e-4: ``0.00001`` where ``json.dumps`` writes ``1e-05``, ``1e-7`` for
``1e-07``. Where orjson's text may hold such a number, or orjson refuses the value (integers
beyond 64 bits), ``json.dumps`` writes it. Bodies reach here parsed by ``_parse_json``, which
refuses NaN and Infinity (orjson would write ``null``). A property test holds the two to the
same bytes for any JSON document.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import orjson

# a number written with a negative exponent or four zeros after the point; numbers in
# orjson's compact output always follow ':', ',' or '['
_ORJSON_MAY_DIFFER = re.compile(rb"[:,\[]-?[0-9.]+e-|[:,\[]-?0\.0000")

# floats whose writing has differed between orjson releases (before 3.11.7 it wrote 1e16
# without the plus sign): checked once, so an orjson that writes any of them otherwise is
# never used for hashes at all
_SENTINELS = [1e16, 1.5e300, 1e-5, 1e-7, 2.5e-05, 5e-324, -0.0, 1.7976931348623157e308, 0.1]


def _as_json_dumps(payload: Any) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _orjson_agrees() -> bool:
    """Whether this orjson writes the sentinel floats as ``json.dumps`` does, or at least in
    a form the fallback recognises."""
    for value in _SENTINELS:
        doc = {"v": value}
        text = orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
        if text != _as_json_dumps(doc) and _ORJSON_MAY_DIFFER.search(text) is None:
            return False
    return True


_FAST = _orjson_agrees()


def canonical_text(payload: dict[str, Any]) -> bytes:
    """The report's canonical JSON, byte for byte as ``json.dumps`` wrote it."""
    if not _FAST:
        return _as_json_dumps(payload)
    try:
        text = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # integers beyond 64 bits, lone surrogates, non-string keys
        return _as_json_dumps(payload)
    if _ORJSON_MAY_DIFFER.search(text) is None:
        return text
    return _as_json_dumps(payload)


def canonical_hash(payload: dict[str, Any]) -> str:
    """sha256 of the report's canonical JSON: the same body hashes alike however it is spaced."""
    return hashlib.sha256(canonical_text(payload)).hexdigest()
