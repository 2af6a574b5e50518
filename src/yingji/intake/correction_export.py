"""Corrections become evidence: the reports a duty officer's corrections touched, written in
the labelled corpus format of issue 13 (the format ``yingji bench
merge-quality`` replays): JSON Lines, one object per report in occurred order,
``{"report": <a body for POST /api/v1/reports>, "label": {"scene", "category", "split",
"note"}}``.

The labels are the officer's judgement as it stands now, after every correction: the
reports of one incident are one scene (``C<incident id>``), and reports in different
incidents are different scenes, so a split is a pair that must not merge and a merge a pair
that must. ``category`` is the code an officer set on the incident (re-classification),
and null where no officer said which category it is (the corpus's "the text says nothing":
left out of the classification score, never guessed). Every line is ``tuning`` data: the
held-out part of the corpus is written apart, before the rules are tuned.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.intake.corrections import KIND_NAMES, OFFICER_SOURCE
from yingji.intake.models import Correction, Incident, Report
from yingji.intake.schemas import ReportIn

SCENE_PREFIX = "C"


def _current(db: Session, incident_id: int, cache: dict[int, int]) -> int:
    """The incident a (possibly merged-away) incident's reports are in now."""
    seen: list[int] = []
    iid = incident_id
    while iid not in cache:
        seen.append(iid)
        into = db.scalar(select(Incident.merged_into_id).where(Incident.id == iid))
        if into is None or into in seen:  # never a cycle (merges are locked), but be safe
            break
        iid = into
    final = cache.get(iid, iid)
    for s in seen:
        cache[s] = final
    return final


def report_body(r: Report) -> dict[str, Any]:
    """A body for ``POST /api/v1/reports``: the one the channel sent when it was a JSON
    report (kept verbatim), else (a CAP area) rebuilt from what intake stored."""
    try:
        raw = json.loads(r.raw_body)
    except ValueError:
        raw = None
    if isinstance(raw, dict):
        try:
            ReportIn.model_validate(raw)
            return raw
        except ValueError:
            pass
    body: dict[str, Any] = {
        "channel": r.channel,
        "source_id": r.source_id,
        "occurred_at": r.occurred_at.isoformat(),
        "title": r.title,
        "text": r.text,
        "address": r.address,
    }
    if r.reported_at is not None:
        body["reported_at"] = r.reported_at.isoformat()
    if r.lon is not None and r.lat is not None:
        body["location"] = {"lon": r.lon, "lat": r.lat, "crs": "wgs84"}
    if r.casualties:
        body["casualties"] = {k: v for k, v in r.casualties.items() if v is not None}
    return body


def export_lines(db: Session) -> Iterator[str]:
    """The corpus lines of every report in an incident a correction touched."""
    corrections = list(db.scalars(select(Correction).order_by(Correction.id)))
    cache: dict[int, int] = {}
    notes: dict[int, list[str]] = {}
    for c in corrections:
        for iid in {c.incident_id, *c.incident_ids}:
            current = _current(db, iid, cache)
            notes.setdefault(current, []).append(
                f"{KIND_NAMES.get(c.kind, c.kind)}（{c.actor_name}）：{c.reason}"
            )
    if not notes:
        return
    incidents = {
        i.id: i for i in db.scalars(select(Incident).where(Incident.id.in_(sorted(notes))))
    }
    reports = db.scalars(
        select(Report)
        .where(Report.incident_id.in_(sorted(notes)))
        .order_by(Report.occurred_at, Report.id)
    )
    for r in reports:
        incident = incidents[r.incident_id]  # type: ignore[index]  # the query selects reports of these incidents only
        officer = incident.category_source == OFFICER_SOURCE
        label = {
            "scene": f"{SCENE_PREFIX}{incident.id}",
            "category": incident.category_code if officer else None,
            "split": "tuning",
            "note": "值班员更正：" + "；".join(dict.fromkeys(notes[incident.id]))[:480],
        }
        yield json.dumps({"report": report_body(r), "label": label}, ensure_ascii=False)
