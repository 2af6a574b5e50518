"""Versioned rule tables: the default answers until a version is published; a version takes
effect from its date, never earlier than today; what was in force on a day stays so."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from yingji.audit.service import Actor
from yingji.core.errors import ApiError, ZhValueError
from yingji.prevention.ruleset import service as rules
from yingji.prevention.ruleset.service import TableSpec

ADMIN = Actor(type="user", id="1", name="admin")
TODAY = date(2026, 12, 3)


def _validate(body: object) -> object:
    if not isinstance(body, dict) or "limit" not in body:
        raise ZhValueError("规则表缺少 limit", "The table needs a limit")
    return {"limit": int(body["limit"])}


@pytest.fixture
def kind():
    name = f"test_{uuid.uuid4().hex[:8]}"
    rules.register(TableSpec(name, "测试表", "Test table", {"limit": 10}, "test", False, _validate))
    yield name
    rules._SPECS.pop(name)


def _publish(session, kind, body, effective_from):
    return rules.publish(
        session, kind=kind, body=body, effective_from=effective_from, confirmed=True,
        source="DB37/T 0000", note="", actor=ADMIN, today=TODAY,
    )  # fmt: skip


def test_the_default_is_version_one_and_reading_writes_nothing(session, kind):
    table = rules.in_force(session, kind, on=TODAY)
    assert (table.version, table.body, table.confirmed) == (1, {"limit": 10}, False)
    assert not session.new and rules.version(session, kind, 1) == table
    session.rollback()


def test_a_version_takes_effect_from_its_date_and_history_stands(session, kind):
    later = TODAY + timedelta(days=30)
    row = _publish(session, kind, {"limit": "20"}, later)
    assert row.version == 2 and row.body == {"limit": 20}
    assert rules.in_force(session, kind, on=TODAY).version == 1
    assert rules.in_force(session, kind, on=later - timedelta(days=1)).body == {"limit": 10}
    assert rules.in_force(session, kind, on=later).version == 2
    assert [t.version for t in rules.history(session, kind)] == [1, 2]
    # the default was stored beside it, so version 1 names a row from now on
    assert rules.version(session, kind, 1) is not None
    session.rollback()


def test_a_backdated_version_is_refused(session, kind):
    with pytest.raises(ApiError) as caught:
        _publish(session, kind, {"limit": 5}, TODAY - timedelta(days=1))
    assert caught.value.status == 409 and caught.value.field == "effective_from"
    session.rollback()


def test_a_body_the_table_does_not_accept_is_refused(session, kind):
    with pytest.raises(ZhValueError):
        _publish(session, kind, {"max": 5}, TODAY)
    session.rollback()


def test_an_unknown_table_is_refused(session):
    with pytest.raises(ApiError) as caught:
        rules.in_force(session, "no_such_table", on=TODAY)
    assert caught.value.status == 422
