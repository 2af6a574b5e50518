"""Serving the built single-page app: hashed assets, files at the root, and index.html for
every client route, without ever answering for the API, the docs or the health check."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import Scope

from yingji.core.errors import not_found

PACKAGE_STATIC = Path(__file__).resolve().parent / "static"

# First path segments the SPA never answers for: an unknown /api/... stays a JSON 404.
RESERVED_SEGMENTS = frozenset({"api", "docs", "redoc", "openapi.json", "healthz", "assets"})

NOT_BUILT_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>应急指挥平台 Yingji</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:4rem auto;line-height:1.6}
code{background:#f2f2f2;padding:.1rem .3rem}</style></head>
<body>
<h1>指挥大屏尚未构建</h1>
<p>网页前端还没有构建。请在项目根目录运行 <code>make web</code>（或 <code>make run</code>），
然后刷新本页。接口仍可使用：<a href="/docs">/docs</a>。</p>
<h1 lang="en">The dashboard is not built</h1>
<p lang="en">The web front end has not been built yet. Run <code>make web</code> (or
<code>make run</code>) in the project directory, then reload this page. The API works
meanwhile: <a href="/docs">/docs</a>.</p>
</body></html>
"""

# index.html must be re-read by the browser after every build; hashed assets never change.
_NO_CACHE = {"Cache-Control": "no-cache"}


class _ImmutableAssets(StaticFiles):
    """Vite's hashed files: cacheable for a year."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def install_spa(app: FastAPI, static_dir: Path | None = None) -> None:
    """Add the dashboard routes. Call LAST in the app factory: the fallback catches any GET
    that no earlier route matched."""
    root = (static_dir or PACKAGE_STATIC).resolve()
    assets = root / "assets"
    if assets.is_dir():
        app.mount("/assets", _ImmutableAssets(directory=assets), name="dashboard-assets")

    @app.get("/{path:path}", include_in_schema=False)
    def spa_fallback(path: str, request: Request) -> Response:
        first = path.split("/", 1)[0]
        if first in RESERVED_SEGMENTS or first.startswith("."):
            raise not_found("接口", "Endpoint")
        index = root / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT_PAGE, status_code=503, headers=_NO_CACHE)
        if path:
            candidate = (root / path).resolve()
            if candidate.is_file() and candidate.is_relative_to(root):
                return FileResponse(candidate)
        return FileResponse(index, headers=_NO_CACHE)
