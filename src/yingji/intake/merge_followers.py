"""The seam through which other domains' records of an incident follow it into a merge.

Tasks, warnings, consultation and plan activations belong to the command domain, which sits
above intake and keeps only an incident's id: intake never reads command's tables. Command
plugs in a follower at import (as it does a close check, ``moves.register_close_check``);
a merge asks every follower first whether it may go ahead (command refuses to merge two
incidents that each run a plan: two responses cannot become one by a click), then, in the
same transaction, tells each to move its records to the lead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from yingji.core.errors import ApiError


@dataclass(frozen=True)
class Followed:
    """What a follower moved, for the lead's timeline."""

    message: str
    message_en: str
    data: dict[str, Any] = field(default_factory=dict)


class MergeFollower(Protocol):
    def refusal(self, db: Session, incident_ids: list[int]) -> ApiError | None:
        """None to allow merging these incidents, or the error to refuse with."""

    def follow(
        self, db: Session, *, lead_id: int, merged_ids: list[int], now: datetime
    ) -> Followed | None:
        """Move the follower's records of ``merged_ids`` to ``lead_id`` (caller commits)."""


_followers: list[MergeFollower] = []


def register_merge_follower(follower: MergeFollower) -> None:
    if all(type(f) is not type(follower) for f in _followers):
        _followers.append(follower)


def followers() -> list[MergeFollower]:
    return list(_followers)
