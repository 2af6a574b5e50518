"""Refuse oversized request bodies with 413 before the application reads them."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _too_large(limit: int) -> bytes:
    return json.dumps(
        {
            "code": "body_too_large",
            "message": f"请求体过大（上限 {limit} 字节）",
            "message_en": f"Request body too large (limit {limit} bytes)",
            "field": None,
            "errors": [],
        },
        ensure_ascii=False,
    ).encode()


class BodyLimitMiddleware:
    """Caps the body at ``max_bytes``; paths ending in an upload suffix get ``max_upload_bytes``.

    The Content-Length header is checked first; a chunked body is read and counted before
    the application runs, so nothing is parsed or written from an oversized request.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        max_upload_bytes: int,
        upload_suffixes: tuple[str, ...] = (
            "/import",
            "/attachments",
            "/upload",
            "/chunk",
            "/inspections:batch",  # up to 5,000 records: about 1.5 MB
        ),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_suffixes = upload_suffixes

    def _limit_for(self, path: str) -> int:
        return self.max_upload_bytes if path.endswith(self.upload_suffixes) else self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, limit)
            return
        if declared_length(scope) is not None:
            # The declared length is within the limit; the server enforces it.
            await self.app(scope, receive, send)
            return
        # A chunked body: read it (up to the limit) before the application sees any of it.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await _send_413(send, limit)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_413(send: Any, limit: int) -> None:
    body = _too_large(limit)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
