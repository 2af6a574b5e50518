"""Pure rules: response level choice, cumulative levels, task lifecycle, review measures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from yingji.command import review
from yingji.command.plans import document, rules
from yingji.command.tasks import rules as task_rules

LEVELS = document.LEVELS


def _doc(levels: set[str]) -> document.PlanDocument:
    return document.validate({
        "code": "P", "name": "测试", "applies_to": {"categories": ["21A03"]},
        "response_levels": [
            {"level": lv, "lead": {"type": "committee", "title": "主任"},
             "parties": [{"type": "department", "code": f"D-{lv}",
                          "actions": [{"title": "行动", "deadline_min": 10}]}]}
            for lv in sorted(levels)
        ],
    })  # fmt: skip


@given(defined=st.sets(st.sampled_from(LEVELS), min_size=1), incident=st.sampled_from(LEVELS))
def test_response_level_is_the_least_severe_that_covers_the_incident(
    defined: set[str], incident: str
) -> None:
    doc = _doc(defined)
    chosen = rules.choose_response_level(doc, incident)
    assert chosen in defined
    rank = document.level_rank
    covering = [lv for lv in defined if rank(lv) <= rank(incident)]
    if covering:
        assert chosen == max(covering, key=rank)  # as severe as needed, no more
    else:
        assert chosen == min(defined, key=rank)  # the plan's most severe
    in_force = {r.level for r in rules.levels_in_force(doc, chosen)}
    assert in_force == {lv for lv in defined if rank(lv) >= rank(chosen)}  # cumulative


def test_expand_resolves_the_incident_subdistrict_and_skips_existing() -> None:
    doc = document.validate({
        "code": "P", "name": "测试", "applies_to": {"categories": ["21A03"]},
        "response_levels": [{"level": "IV", "lead": {"type": "committee", "title": "主任"},
            "parties": [
                {"type": "subdistrict", "code": "incident",
                 "actions": [{"title": "到场", "deadline_min": 30}]},
                {"type": "expert", "specialty": "危化",
                 "actions": [{"title": "研判", "deadline_min": 40}]}]}],
    })  # fmt: skip
    now = datetime(2026, 8, 18, 2, 12, tzinfo=UTC)
    inc = rules.IncidentFacts(id=1, level="IV", category_code="21A03", subdistrict_code="S1")
    specs, unresolved = rules.response_specs(doc, "IV", inc, now=now, existing_keys=set())
    assert [(s.party_type, s.party_code) for s in specs] == [
        ("subdistrict", "S1"), ("expert", "specialty:危化")]  # fmt: skip
    assert specs[0].deadline_at == now + timedelta(minutes=30) and not unresolved
    again, _ = rules.response_specs(
        doc, "IV", inc, now=now, existing_keys={s.action_key for s in specs}
    )
    assert again == []
    nowhere = rules.IncidentFacts(id=2, level="IV", category_code="21A03", subdistrict_code=None)
    specs, unresolved = rules.response_specs(doc, "IV", nowhere, now=now, existing_keys=set())
    assert unresolved == ["subdistrict:incident"] and len(specs) == 1


@given(moves=st.lists(st.sampled_from(task_rules.STATUSES), max_size=8))
def test_a_task_never_moves_back(moves: list[str]) -> None:
    status = "assigned"
    order = task_rules.PROGRESS
    for to in moves:
        if task_rules.check_move(status, to) is None:
            if status in order and to in order:
                assert order.index(to) > order.index(status)
            status = to
    if status in task_rules.TERMINAL:
        assert task_rules.allowed_next(status) == []


def test_category_match_prefers_the_longest_prefix() -> None:
    assert rules.category_match(["21A", "21A03"], "21A03") == "21A03"
    assert rules.category_match(["21000"], "21B01") == "21"
    assert rules.category_match(["11A"], "21A03") is None
    assert rules.category_match(["11A"], None) is None


def test_measure_counts_from_the_first_report() -> None:
    t0 = datetime(2026, 8, 18, 2, 4, tzinfo=UTC)

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    tasks = [
        review.TaskTimes("department", "F", "消防", "response", "completed", at(8), at(9),
                         at(22), at(91), at(28), "on_scene"),
        review.TaskTimes("subdistrict", "S", "街道", "response", "completed", at(8), at(10),
                         at(20), at(150), at(38), "on_scene"),
        review.TaskTimes("department", "W", "水务", "response", "completed", at(8), at(11),
                         None, at(200), at(128), "completed"),  # late by 72 min
        review.TaskTimes("department", "E", "生态", "aftermath", "assigned", at(170), None,
                         None, None, at(5000), "completed"),
    ]  # fmt: skip
    m = review.measure(
        first_report_at=t0, verified_at=at(5), activated_at=at(8), closed_at=at(166),
        occurred_at=at(-4), tasks=tasks, now=at(300),
    )  # fmt: skip
    assert m["report_to_verified_s"] == 300 and m["verified_to_activated_s"] == 180
    assert m["activated_to_first_on_scene_s"] == 12 * 60
    assert m["total_s"] == 166 * 60 and m["occurred_to_closed_s"] == 170 * 60
    assert m["tasks_total"] == 3 and m["tasks_late"] == 1  # aftermath not counted
    water = next(p for p in m["per_party"] if p["party_code"] == "W")
    assert water["late"] == 1 and water["to_complete_s"] == 192 * 60
