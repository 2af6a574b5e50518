"""The writer writes merged incidents back column by column (``facts.MERGED_COLUMNS``): folding
a report in and rerouting must change nothing else, or a change would be lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yingji.intake import routing_rows, service
from yingji.intake.config import get_intake_settings
from yingji.intake.facts import MERGED_COLUMNS, merge_facts, new_incident
from yingji.intake.models import Incident
from yingji.intake.prepare import Sender, prepare
from yingji.intake.schemas import ReportIn

from .conftest import report_body


def _prepared(session, body):  # type: ignore[no-untyped-def]
    report = ReportIn.model_validate(body)
    return prepare(
        session, report, raw_body="{}", payload=body,
        sender=Sender("integration", "1", "t"), now=datetime.now(UTC),
    )  # fmt: skip


def _columns(incident: Incident) -> dict[str, object]:
    return {a.key: getattr(incident, a.key) for a in Incident.__mapper__.column_attrs}


def test_folding_a_report_in_changes_only_the_merged_columns(session, spots) -> None:
    _, lon, lat = spots[40]
    now = datetime.now(UTC)
    first = _prepared(session, report_body(lon, lat, text="化工厂车间爆炸", channel="public"))
    incident = new_incident(first, get_intake_settings(), now, "21C")
    incident.id = -1
    before = _columns(incident)
    graver = report_body(
        lon, lat, text="化工厂车间爆炸", channel="grid",
        occurred_at=(now - timedelta(hours=1)).isoformat(),
        casualties={"deaths": 12, "missing": 1, "serious_injuries": 60, "injuries": 3,
                    "trapped": 2},
        direct_loss_cny=2e8, affected_people=5000,
    )  # fmt: skip
    change = merge_facts(incident, _prepared(session, graver), now + timedelta(minutes=5))
    assert change is not None and change[1] == "I"  # every figure and the level moved
    routing_rows.targets_for(incident, service.organisation(session), None)
    after = _columns(incident)
    changed = {k for k in before if before[k] != after[k]}
    assert changed <= set(MERGED_COLUMNS), changed - set(MERGED_COLUMNS)
    assert {"deaths", "level", "report_count", "channels", "occurred_at"} <= changed
