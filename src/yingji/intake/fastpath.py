"""``POST /api/v1/reports`` answered before FastAPI's middleware stack and router.

In a flood this one path carries almost all the traffic. Routing it through the router, the
dependency solver and the exception middleware cost about a sixth of the server's CPU per
report, and the middleware stack FastAPI builds around every request (server errors,
telemetry, its own body limit, gzip) a further few per cent (py-spy, ``yingji bench
intake``). :class:`yingji.app.Platform` hands this path to :class:`ReportFastPath` (inside
the body-size limit, so an oversized report is still refused before it is read): the same
``accept_report`` the route uses, with the same guard and the same error bodies, and an
unexpected error answered 500 in the platform's error shape and raised on to the server's
log, as Starlette's server-error middleware does. Everything else goes the usual way.
The price: FastAPI's own telemetry middleware (OpenTelemetry, when a provider is set up)
does not see this path.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from yingji.core.errors import ApiError, internal_error, render
from yingji.intake.views import accept_report, report_principal

REPORTS_PATH = "/api/v1/reports"


def is_report_post(scope: Scope) -> bool:
    """The report path, also behind a proxy that mounts the platform under a prefix (the
    server's ``root_path``, which ``scope["path"]`` includes, as Starlette's router sees it)."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return False
    path, root = scope["path"], scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path == REPORTS_PATH


class ReportFastPath:
    """The ASGI endpoint for :data:`REPORTS_PATH` (``scope["app"]`` must be the platform)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await accept_report(request, await report_principal(request))
        except ApiError as exc:
            response = render(exc)
        except Exception:
            await render(internal_error())(scope, receive, send)
            raise
        await response(scope, receive, send)
