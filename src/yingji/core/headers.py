"""Security headers on every response, and the Content-Security-Policy they carry.

The dashboard is one origin: Vite builds every script, stylesheet, font and image into
``/assets`` (no CDN), Element Plus and ECharts come bundled, Leaflet's marker images are
bundled or inlined as ``data:`` URIs, and fonts are the system's (``style.css``). So the
policy allows the platform's own origin and nothing else, with these exceptions, each
needed by what the dashboard actually does:

- ``style-src 'unsafe-inline'``: Vue's ``:style`` bindings, Element Plus's positioning and
  Leaflet's map panes set ``style`` attributes (a style attribute cannot be allowed by hash
  or nonce in CSP 3 without ``'unsafe-hashes'``, and Element Plus sets computed values);
  scripts stay strictly ``'self'``.
- ``img-src data: blob:``: inlined small assets and the markers Leaflet builds;
  plus exactly the hosts of the configured base-map tiles (``dashboard/basemap.py``).
- ``media-src blob:``: hls.js plays a camera's stream through a MediaSource object URL.
- ``connect-src``, ``media-src`` and ``img-src`` also take ``YINGJI_CSP_MEDIA_HOSTS``: the
  video platform a camera's stream or snapshot comes from, when it is not this origin.

``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` keep the platform out of anyone's
frames (clickjacking); ``nosniff`` stops a browser from running an upload as a script;
``Referrer-Policy: same-origin`` keeps incident URLs inside the platform.

The interactive API docs (``/docs``, ``/redoc``) are FastAPI's pages that load Swagger UI or
ReDoc from the jsDelivr CDN with an inline start-up script: those two pages alone get a
policy that allows that CDN and that script.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import Message, Scope, Send

DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


def content_security_policy(tile_hosts: Iterable[str], media_hosts: Iterable[str] = ()) -> str:
    """The dashboard's policy: own origin only, plus the tile and media hosts named."""
    tiles = " ".join(sorted(set(tile_hosts)))
    media = " ".join(sorted(set(media_hosts)))
    img = " ".join(x for x in ("'self' data: blob:", tiles, media) if x)
    directives = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {img}",
        "font-src 'self' data:",
        " ".join(x for x in ("connect-src 'self'", media) if x),
        " ".join(x for x in ("media-src 'self' blob:", media) if x),
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {DOCS_CDN}",
        f"style-src 'self' 'unsafe-inline' {DOCS_CDN}",
        f"img-src 'self' data: https://fastapi.tiangolo.com {DOCS_CDN}",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(policy: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", policy.encode("latin-1")),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=(self)"),
    ]


class SecurityHeaders:
    """Adds the headers to every HTTP response that does not set them itself.

    It only rewrites the ``http.response.start`` message, so streamed answers (the live
    stream, exports) pass through untouched. :class:`yingji.app.Platform` wraps ``send``
    with :meth:`wrap` before anything else runs, the report fast path included.
    """

    def __init__(self, *, policy: str) -> None:
        self.policy = policy
        self.headers = security_headers(policy)
        self.docs_headers = security_headers(DOCS_POLICY)

    def wrap(self, scope: Scope, send: Send) -> Send:
        extra = self.docs_headers if scope.get("path") in DOCS_PATHS else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *(h for h in extra if h[0] not in present),
                ]
            await send(message)

        return send_with_headers
