"""Event types are named once per domain (intake.events, command.events); the wire strings
are a contract, and the dashboard's list (web/src/api/events.ts) is the same list."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from yingji.command.events import PAYLOAD_EXTRAS as COMMAND_PAYLOADS
from yingji.command.events import CommandEvent
from yingji.intake.events import PAYLOAD_EXTRAS as INTAKE_PAYLOADS
from yingji.intake.events import IntakeEvent

ROOT = Path(__file__).resolve().parents[1]

# The strings as other systems and the dashboard have always received them.
WIRE = {
    "incident.created", "incident.merged", "incident.status", "incident.level",
    "incident.deadline", "incident.overdue",
    "plan.activated", "plan.response_raised", "task.assigned", "task.status", "task.reassigned",
    "task.resources", "task.escalated", "aftermath.listed", "review.saved", "consult.message",
    "consult.decision", "warning.issued", "warning.updated", "warning.lifted",
}  # fmt: skip


def test_the_wire_strings_are_unchanged():
    assert {e.value for e in IntakeEvent} | {e.value for e in CommandEvent} == WIRE
    assert {e.value for e in IntakeEvent} & {e.value for e in CommandEvent} == set()


def test_every_type_has_a_typed_payload():
    assert set(INTAKE_PAYLOADS) == set(IntakeEvent)
    assert set(COMMAND_PAYLOADS) == set(CommandEvent)
    for payload in [*INTAKE_PAYLOADS.values(), *COMMAND_PAYLOADS.values()]:
        assert typing.is_typeddict(payload), payload


def test_the_dashboard_lists_the_same_types():
    text = (ROOT / "web" / "src" / "api" / "events.ts").read_text(encoding="utf-8")
    assert set(re.findall(r"^\s+\w+: '([a-z_]+\.[a-z_]+)',$", text, re.M)) == WIRE


def test_no_event_type_is_spelled_out_where_it_is_used():
    """Outside the two events modules (and the dashboard's list), no Python module spells a
    type as a string, and no dashboard script does (its strings are in single quotes; a
    template's ``"incident.level"`` is an expression, not a type)."""
    alternatives = "|".join(re.escape(w) for w in WIRE)
    in_python = re.compile(rf"""["']({alternatives})["']""")
    in_web = re.compile(rf"""['`]({alternatives})['`]""")
    allowed = {
        ROOT / "src/yingji/intake/events.py",
        ROOT / "src/yingji/command/events.py",
        ROOT / "web/src/api/events.ts",
    }
    files = [(p, in_python) for p in (ROOT / "src" / "yingji").rglob("*.py")]
    files += [
        (p, in_web)
        for p in (ROOT / "web" / "src").rglob("*")
        if p.suffix in (".ts", ".vue") and p.name != "schema.d.ts"
    ]
    found = [
        f"{p.relative_to(ROOT)}: {m.group(1)}"
        for p, spelled in files
        if p not in allowed
        for m in spelled.finditer(p.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)
