"""Choosing the bus for the configured URL.

Apart from :mod:`yingji.bus.hub` so that the hub does not import the NATS bus that builds on
it (``nats`` imports ``hub``; nothing here is imported by either).
"""

from __future__ import annotations

from yingji.bus.hub import LocalBus


def make_bus(url: str) -> LocalBus:
    """A bus for the configured URL: ``nats://...`` gives NATS JetStream, empty the local one."""
    if url.startswith(("nats://", "tls://")):
        from yingji.bus.nats import NatsBus

        return NatsBus(url)
    if url:
        raise ValueError(f"unsupported bus URL: {url}")
    return LocalBus()
