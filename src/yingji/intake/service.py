"""Intake and incidents in the database, the way in for other domains (and for intake's own
views, writer and stream): writing batches of prepared reports, reading incidents, lifecycle
moves, level raises, deadlines, events.

The code lives in small modules; this one only re-exports their public names, so callers
keep writing ``service.X`` (to monkeypatch a name, patch it in the module that defines it):

- :mod:`~yingji.intake.write`: ``write_batch`` (merge or found, record, route, emit),
  with :mod:`~yingji.intake.candidates`, :mod:`~yingji.intake.facts` and
  :mod:`~yingji.intake.routing_rows` under it;
- :mod:`~yingji.intake.prepare`: ``prepare`` (locate, classify, grade) and
  ``prepare_unlocated`` (a report that must be taken without a place in the district);
- :mod:`~yingji.intake.read`: incidents, the incident list, stream events, counts;
- :mod:`~yingji.intake.moves`: status moves, level raises, deadlines, other domains' notes
  and close checks;
- :mod:`~yingji.intake.journal`: timeline and stream events written at a transaction's end;
- :mod:`~yingji.intake.shapes`, :mod:`~yingji.intake.org_cache`,
  :mod:`~yingji.intake.locks` (the PostgreSQL lock scheme is described there).
"""

from __future__ import annotations

from yingji.intake.journal import SYSTEM_ACTOR, append_events
from yingji.intake.locks import EVENT_LOCK_KEY, MAX_CELL_LOCKS, cell_lock_key, group_lock_key
from yingji.intake.merge_followers import Followed, MergeFollower, register_merge_follower
from yingji.intake.moves import (
    CloseCheck,
    Note,
    annotate,
    deadline_done,
    flag_overdue,
    raise_level,
    register_close_check,
    transition,
    watch_unwatched_deadlines,
)
from yingji.intake.org_cache import ORG_CACHE_S, clear_caches, organisation
from yingji.intake.prepare import Prepared, Sender, prepare, prepare_unlocated
from yingji.intake.read import (
    INCIDENT_SORT_FIELDS,
    corrections_stmt,
    count_merged_reports,
    count_reports,
    get_incident,
    incident_detail,
    incident_read,
    last_event_id,
    list_stmt,
    read_events,
)
from yingji.intake.shapes import accepted, category_read, event_dict, event_payload
from yingji.intake.write import Outcome, write_batch

__all__ = [
    "EVENT_LOCK_KEY",
    "INCIDENT_SORT_FIELDS",
    "MAX_CELL_LOCKS",
    "ORG_CACHE_S",
    "SYSTEM_ACTOR",
    "CloseCheck",
    "Followed",
    "MergeFollower",
    "Note",
    "Outcome",
    "Prepared",
    "Sender",
    "accepted",
    "annotate",
    "append_events",
    "category_read",
    "cell_lock_key",
    "clear_caches",
    "corrections_stmt",
    "count_merged_reports",
    "count_reports",
    "deadline_done",
    "event_dict",
    "event_payload",
    "flag_overdue",
    "get_incident",
    "group_lock_key",
    "incident_detail",
    "incident_read",
    "last_event_id",
    "list_stmt",
    "organisation",
    "prepare",
    "prepare_unlocated",
    "raise_level",
    "read_events",
    "register_close_check",
    "register_merge_follower",
    "transition",
    "watch_unwatched_deadlines",
    "write_batch",
]
