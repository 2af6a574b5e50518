"""Alarm fixtures: a position near a demo station in a quiet spot, a fresh body per test,
the runtime's settings with linkage targets configured (restored after)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from yingji.resources.models import Station


@pytest.fixture(scope="session")
def station(demo: Any) -> dict[str, Any]:
    with demo.session() as s:
        st = s.scalars(select(Station).order_by(Station.id)).first()
        assert st is not None
        return {"id": st.id, "name": st.name, "subdistrict_code": st.subdistrict_code,
                "lon": st.lon, "lat": st.lat}  # fmt: skip


@pytest.fixture
def alarm_body(station: dict[str, Any]) -> Callable[..., dict[str, Any]]:
    def make(**over: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "idempotency_key": f"k-{uuid.uuid4().hex}",
            "device_id": f"dev-{uuid.uuid4().hex}",
            "kind": "fire",
            "phone": "13912345678",
            "location": {"lon": station["lon"] + 0.0011, "lat": station["lat"] + 0.0007,
                         "crs": "wgs84", "accuracy_m": 25},
            "text": "楼道里着火了，有浓烟",
            "contacts": [{"name": "妈妈", "phone": "13800001111"}],
        }  # fmt: skip
        body.update(over)
        return body

    return make


@pytest.fixture
def configured(app: Any) -> Iterator[Any]:
    """The runtime's settings with the three linkage endpoints set (dev provider records)."""
    runtime = app.state.alarm
    before = runtime.settings
    runtime.settings = before.model_copy(update={
        "linkage_110": ["webhook:https://linkage.example/110"],
        "linkage_119": ["webhook:https://linkage.example/119"],
        "linkage_120": ["sms:0531-12000120"],
        "rescue_platforms": ["webhook:https://rescue.example/alarms"],
    })  # fmt: skip
    try:
        yield runtime.settings
    finally:
        runtime.settings = before
