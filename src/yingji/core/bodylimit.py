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


class _BodyTooLarge(Exception):
    pass


class BodyLimitMiddleware:
    """Caps the body at ``max_bytes``; paths ending in an upload suffix get ``max_upload_bytes``.

    The Content-Length header is checked first; a chunked body is counted as it streams.
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        max_upload_bytes: int,
        upload_suffixes: tuple[str, ...] = ("/import", "/attachments", "/upload"),
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
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    await _send_413(send, limit)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _send_413(send, limit)


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
