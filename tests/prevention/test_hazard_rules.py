"""The closed loop's rules: each step allowed and refused, and no sequence of steps reaches
销号 without a verification by someone other than the rectifier."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.core.errors import ApiError
from yingji.prevention.hazard import rules

TODAY = date(2026, 12, 3)
ENT = rules.Actor(id="user:1", bureau=False, enterprise=True)
ENT2 = rules.Actor(id="user:2", bureau=False, enterprise=True)
BUREAU = rules.Actor(id="user:9", bureau=True, enterprise=False)


def facts(**over):
    base = rules.Facts(
        state="registered",
        grade="general",
        has_plan=False,
        evaluated=False,
        rectified_by=None,
        listed_or_stopped=False,
    )
    return replace(base, **over)


def test_start_needs_a_plan_for_major_and_a_future_deadline():
    assert rules.start(facts(), deadline=TODAY, today=TODAY) == "rectifying"
    with pytest.raises(ApiError) as caught:
        rules.start(facts(grade="major"), deadline=TODAY, today=TODAY)
    assert caught.value.code == "treatment_plan_required"
    assert rules.start(facts(grade="major", has_plan=True), deadline=TODAY, today=TODAY)
    with pytest.raises(ApiError):
        rules.start(facts(), deadline=date(2026, 12, 2), today=TODAY)


def test_the_plan_needs_all_five_elements():
    full = {k: "x" for k in rules.PLAN_ELEMENTS}
    rules.check_plan(full)
    for k in rules.PLAN_ELEMENTS:
        with pytest.raises(ApiError) as caught:
            rules.check_plan({**full, k: "  "})
        assert caught.value.field == f"treatment_plan.{k}"


def test_verification_by_another_person_only():
    f = facts(state="rectified", rectified_by=ENT.id)
    with pytest.raises(ApiError) as caught:
        rules.verify(f, actor=ENT, accept=True)
    assert caught.value.status == 403
    assert rules.verify(f, actor=ENT2, accept=True) == "verified"
    assert rules.verify(f, actor=BUREAU, accept=False) == "rectifying"


def test_closing_a_major_hazard():
    f = facts(state="verified", grade="major", has_plan=True, rectified_by=ENT.id)
    with pytest.raises(ApiError) as caught:
        rules.close(f, actor=ENT)
    assert caught.value.status == 403
    with pytest.raises(ApiError) as caught:
        rules.close(f, actor=BUREAU)
    assert caught.value.code == "evaluation_required"
    assert rules.close(replace(f, evaluated=True), actor=BUREAU) == "closed"
    listed = replace(f, evaluated=True, listed_or_stopped=True)
    with pytest.raises(ApiError):
        rules.close(listed, actor=BUREAU)
    assert rules.apply_resume(listed, actor=ENT) == "resume_applied"
    applied = replace(listed, state="resume_applied")
    with pytest.raises(ApiError):
        rules.review_resume(applied, actor=ENT, accept=True)
    assert rules.review_resume(applied, actor=BUREAU, accept=True) == "closed"
    assert rules.review_resume(applied, actor=BUREAU, accept=False) == "rectifying"
    assert rules.review_due(TODAY) == date(2026, 12, 13)


def test_a_general_hazard_may_be_closed_by_the_enterprise_and_reopened_by_the_bureau():
    assert rules.close(facts(state="verified"), actor=ENT) == "closed"
    with pytest.raises(ApiError):
        rules.reopen(facts(state="closed"), actor=ENT)
    assert rules.reopen(facts(state="closed"), actor=BUREAU) == "rectifying"


def test_overdue_and_extension():
    assert rules.overdue("rectifying", date(2026, 12, 2), TODAY)
    assert not rules.overdue("rectifying", TODAY, TODAY)
    assert not rules.overdue("rectified", date(2026, 1, 1), TODAY)
    with pytest.raises(ApiError):
        rules.extension(facts(state="rectifying"), current=TODAY, proposed=TODAY)
    rules.extension(facts(state="rectifying"), current=TODAY, proposed=date(2026, 12, 4))


ACTIONS = (
    "plan",
    "start",
    "rectified",
    "verify_ok",
    "verify_no",
    "evaluate",
    "close",
    "apply",
    "review_ok",
    "review_no",
    "reopen",
    "supervise",
)
ACTORS = (ENT, ENT2, BUREAU)


def _apply(f: rules.Facts, action: str, actor: rules.Actor) -> tuple[rules.Facts, bool]:
    """One step on the facts as the service applies it; (new facts, verified by another)."""
    if action == "plan":
        rules.plan(f)
        return replace(f, has_plan=True), False
    if action == "start":
        return replace(f, state=rules.start(f, deadline=TODAY, today=TODAY)), False
    if action == "rectified":
        return replace(f, state=rules.rectified(f), rectified_by=actor.id), False
    if action in ("verify_ok", "verify_no"):
        ok = action == "verify_ok"
        state = rules.verify(f, actor=actor, accept=ok)
        return replace(f, state=state, rectified_by=f.rectified_by if ok else None), ok
    if action == "evaluate":
        rules.evaluate(f)
        return replace(f, evaluated=True), False
    if action == "close":
        return replace(f, state=rules.close(f, actor=actor)), False
    if action == "apply":
        return replace(f, state=rules.apply_resume(f, actor=actor)), False
    if action in ("review_ok", "review_no"):
        return replace(
            f, state=rules.review_resume(f, actor=actor, accept=action == "review_ok")
        ), False
    if action == "reopen":
        return replace(f, state=rules.reopen(f, actor=actor), rectified_by=None), False
    rules.supervise(f, actor=actor)
    return replace(f, listed_or_stopped=True), False


@given(
    st.sampled_from(("general", "major")),
    st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(ACTORS)), max_size=30),
)
def test_no_sequence_closes_without_a_verification_since_the_last_rectification(grade, steps):
    f = facts(grade=grade)
    verified_since_rectified = False
    for action, actor in steps:
        try:
            new, verified = _apply(f, action, actor)
        except ApiError:
            continue  # refused: nothing changed
        if action == "rectified" or action in ("verify_no", "reopen", "review_no"):
            verified_since_rectified = False
        if verified:
            assert actor.id != f.rectified_by
            verified_since_rectified = True
        if new.state == "closed" and f.state != "closed":
            assert verified_since_rectified
            if grade == "major":
                assert new.evaluated and actor.bureau
        f = new
