"""A webhook receiver the tests start on 127.0.0.1, and providers pointed at it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from yingji.notify import service, signing
from yingji.notify.providers import Channel, DevProvider, WebhookProvider
from yingji.scheduling.backoff import Backoff

SECRET = "test-webhook-secret-0123456789"


@dataclass
class Receiver:
    """Answers each POST with the next scripted status (then 200), checking its signature."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)

    def wait_for(self, n: int, timeout_s: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.received


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            valid = signing.verify(
                SECRET, timestamp=self.headers.get(signing.TIMESTAMP_HEADER, ""), body=body,
                signature=self.headers.get(signing.SIGNATURE_HEADER, ""), now_s=time.time(),
                tolerance_s=300,
            )  # fmt: skip
            status = rec.script.pop(0) if rec.script else 200
            rec.received.append({
                "path": self.path, "valid": valid, "json": json.loads(body), "status": status,
                "message_id": self.headers.get(signing.MESSAGE_ID_HEADER),
                "content_type": self.headers.get("Content-Type"),
            })  # fmt: skip
            answer = json.dumps({"id": f"gw-{len(rec.received)}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def providers(receiver) -> Iterator[Callable[..., service.Registry]]:  # type: ignore[no-untyped-def]
    """Point channels at the receiver with a short backoff; put the old registry back."""
    before = service.registry()

    def use(
        *, sms_gateway: bool = False, base_s: float = 0.5, attempts: int = 3
    ) -> service.Registry:
        hook = WebhookProvider(secret=SECRET, timeout_s=5)
        reg = service.Registry(
            {
                Channel.webhook: hook,
                Channel.sms: (WebhookProvider(secret=SECRET, timeout_s=5, url=f"{receiver.url}/sms")
                              if sms_gateway else DevProvider()),
                Channel.voice: DevProvider(),
            },
            Backoff(base_s=base_s, factor=2, max_s=60, max_attempts=attempts),
        )  # fmt: skip
        service.use(reg)
        return reg

    yield use
    service.use(before)
