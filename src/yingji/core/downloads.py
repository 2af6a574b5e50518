"""File downloads: a Content-Disposition header that carries Chinese file names safely.

Every header built from user text goes through :func:`content_disposition`: HTTP headers are
Latin-1 on the wire (RFC 9110 §5.5), so a plan code or a name in Chinese would fail the server
while it writes the response; RFC 5987/6266 ``filename*`` carries it percent-encoded as UTF-8.
"""

from __future__ import annotations

import re
from urllib.parse import quote

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_MEDIA_TYPE = "application/geo+json"
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the real name as RFC 5987 ``filename*``.

    Browsers that know RFC 6266 (all current ones) use ``filename*``; the ASCII fallback is
    for the rest. Characters that are unsafe in a header or a file name are replaced.
    """
    safe = _UNSAFE.sub("_", filename).strip() or fallback
    ascii_name = _UNSAFE.sub("_", fallback).encode("ascii", "replace").decode().replace("?", "_")
    # A lone surrogate cannot be UTF-8: it becomes "?" rather than an encoding error.
    encoded = quote(safe.encode("utf-8", "replace"), safe="")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
