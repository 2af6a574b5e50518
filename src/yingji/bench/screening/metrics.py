"""Merge and classification quality of a replayed corpus: pure functions of outcomes.

The measures fixed by the issue-13 contract:

- **pair precision / recall** over pairs of reports: a pair is *labelled together* when both
  reports have the same ``label.scene`` and *merged* when both ended in the same incident.
  precision = together ∧ merged / merged; recall = together ∧ merged / together. Pairs are
  counted within one split only. Counting pairs (not reports) is the standard of
  clustering evaluation (the pair-counting F-measure): a scene of five reports split four
  and one loses four of its ten pairs, one split two and three loses six.
- **top-1 classification accuracy** over reports whose ``label.category`` is not null: a hit
  when the report's own predicted code equals the label or lies under it (a 小类 label
  ``21C00`` accepts ``21C01``/``21C02``; a 细类 label accepts only itself).

No I/O: outcomes in, figures and the worst misses out.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations


@dataclass(frozen=True)
class Outcome:
    """One report of the corpus after replay: its label and where the intake put it."""

    index: int  # position in the corpus file
    scene: str
    split: str
    label: str | None  # the labelled category code
    incident: int | None  # the incident it ended in (None: refused)
    predicted: str | None  # the report's own category code from the intake
    occurred_at: datetime
    lon: float | None
    lat: float | None
    note: str = ""


@dataclass(frozen=True)
class PairMiss:
    """Two reports of one scene in two incidents, or of two scenes in one incident."""

    a: Outcome
    b: Outcome
    distance_m: float | None
    apart_s: float


@dataclass
class SplitQuality:
    split: str
    reports: int
    scenes: int
    incidents: int
    refused: int
    pairs_together: int  # same scene
    pairs_merged: int  # same incident
    pairs_both: int
    labelled: int  # reports with a category label
    hits: int
    unclassified: int  # labelled reports the intake gave no category
    missed_merges: list[PairMiss] = field(default_factory=list)
    false_merges: list[PairMiss] = field(default_factory=list)
    confusions: list[tuple[str, str | None, int]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.pairs_both / self.pairs_merged if self.pairs_merged else 1.0

    @property
    def recall(self) -> float:
        return self.pairs_both / self.pairs_together if self.pairs_together else 1.0

    @property
    def accuracy(self) -> float:
        return self.hits / self.labelled if self.labelled else 1.0


def category_hit(label: str, predicted: str | None) -> bool:
    """Whether ``predicted`` equals ``label`` or lies under it in the five-character code
    (大类 digit, 中类 digit, 小类 letter, 细类 two digits; zeros fill the levels below)."""
    if not predicted:
        return False
    return predicted == label or predicted.startswith(_node_prefix(label))


def _node_prefix(code: str) -> str:
    if len(code) != 5:
        return code
    if code[3:] != "00":
        return code
    if code[2] != "0":
        return code[:3]
    if code[1] != "0":
        return code[:2]
    return code[:1]


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def distance_m(a: Outcome, b: Outcome) -> float | None:
    """Great-circle distance (haversine, mean Earth radius), or None without positions."""
    if None in (a.lon, a.lat, b.lon, b.lat):
        return None
    lon1, lat1, lon2, lat2 = map(math.radians, (a.lon, a.lat, b.lon, b.lat))  # type: ignore[arg-type]  # called with located outcomes only
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def _miss(a: Outcome, b: Outcome) -> PairMiss:
    apart = abs((a.occurred_at - b.occurred_at).total_seconds())
    return PairMiss(a, b, distance_m(a, b), apart)


def evaluate(outcomes: Iterable[Outcome], *, worst: int = 10) -> list[SplitQuality]:
    """The quality of each split (in the order they first appear), with its worst misses."""
    by_split: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_split[o.split].append(o)
    return [_split_quality(name, rows, worst) for name, rows in by_split.items()]


def _split_quality(split: str, rows: Sequence[Outcome], worst: int) -> SplitQuality:
    accepted = [o for o in rows if o.incident is not None]
    scene_n = Counter(o.scene for o in accepted)
    incident_n = Counter(o.incident for o in accepted)
    cell_n = Counter((o.scene, o.incident) for o in accepted)
    labelled = [o for o in rows if o.label is not None]
    hits = len([o for o in labelled if o.label is not None and category_hit(o.label, o.predicted)])
    confusion = Counter(
        (o.label, o.predicted)
        for o in labelled
        if not category_hit(o.label, o.predicted)  # type: ignore[arg-type]  # labelled: label is not None
    )
    return SplitQuality(
        split=split,
        reports=len(rows),
        scenes=len({o.scene for o in rows}),
        incidents=len(incident_n),
        refused=len(rows) - len(accepted),
        pairs_together=sum(pairs(n) for n in scene_n.values()),
        pairs_merged=sum(pairs(n) for n in incident_n.values()),
        pairs_both=sum(pairs(n) for n in cell_n.values()),
        labelled=len(labelled),
        hits=hits,
        unclassified=sum(1 for o in labelled if not o.predicted),
        missed_merges=_worst_missed(accepted, worst),
        false_merges=_worst_false(accepted, worst),
        confusions=[(lab, pred, n) for (lab, pred), n in confusion.most_common(worst)],  # type: ignore[misc]  # keys are (label, predicted) pairs
    )


def _worst_missed(rows: Sequence[Outcome], worst: int) -> list[PairMiss]:
    """Per scene split over incidents, its closest pair that was not merged (the misses that
    hurt most: near in space and time); the scenes losing most pairs first."""
    scenes: dict[str, list[Outcome]] = defaultdict(list)
    for o in rows:
        scenes[o.scene].append(o)
    found: list[tuple[int, PairMiss]] = []
    for members in scenes.values():
        if len({o.incident for o in members}) < 2:
            continue
        lost = [_miss(a, b) for a, b in combinations(members, 2) if a.incident != b.incident]
        best = min(lost, key=lambda m: (m.distance_m or 0.0, m.apart_s, m.a.index))
        found.append((len(lost), best))
    found.sort(key=lambda f: (-f[0], f[1].a.index))
    return [m for _, m in found[:worst]]


def _worst_false(rows: Sequence[Outcome], worst: int) -> list[PairMiss]:
    """Per incident holding several scenes, its farthest pair of reports of two scenes."""
    incidents: dict[int, list[Outcome]] = defaultdict(list)
    for o in rows:
        incidents[o.incident].append(o)  # type: ignore[index]  # outcomes that reached an incident
    found: list[tuple[int, PairMiss]] = []
    for members in incidents.values():
        if len({o.scene for o in members}) < 2:
            continue
        wrong = [_miss(a, b) for a, b in combinations(members, 2) if a.scene != b.scene]
        far = max(wrong, key=lambda m: (m.distance_m or 0.0, m.apart_s, -m.a.index))
        found.append((len(wrong), far))
    found.sort(key=lambda f: (-f[0], f[1].a.index))
    return [m for _, m in found[:worst]]
