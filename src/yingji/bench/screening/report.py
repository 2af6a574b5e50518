"""How ``yingji bench merge-quality`` shows its figures: Rich tables or JSON.

The held-out part's miss lists (which quote its reports) are left out unless asked for, so
reading the bench's output while tuning never shows held-out words.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from yingji.bench.screening.metrics import Outcome, PairMiss, SplitQuality

# issue 13's targets on the held-out part
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.98
TARGET_ACCURACY = 0.90


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _m(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def render_quality(
    console: Console,
    results: Sequence[SplitQuality],
    *,
    stripped: Iterable[str],
    refused: dict[str, int],
    hide_misses: set[str],
) -> None:
    table = Table(title="yingji bench merge-quality: pair precision / recall, top-1 accuracy")
    cols = ("split", "reports", "scenes", "incidents", "refused", "pairs scene",
            "pairs incident", "pairs both", "precision", "recall", "labelled", "top-1",
            "no code")  # fmt: skip
    for c in cols:
        table.add_column(c, justify="left" if c == "split" else "right")
    for q in results:
        table.add_row(
            q.split, f"{q.reports:,}", f"{q.scenes:,}", f"{q.incidents:,}", f"{q.refused}",
            f"{q.pairs_together:,}", f"{q.pairs_merged:,}", f"{q.pairs_both:,}",
            _pct(q.precision), _pct(q.recall), f"{q.labelled:,}", _pct(q.accuracy),
            f"{q.unclassified:,}",
        )  # fmt: skip
    console.print(table)
    for q in results:
        if q.split in hide_misses:
            console.print(f"[dim]{q.split}: miss lists not shown (--show-heldout-misses)[/dim]")
            continue
        _misses(console, f"{q.split}: missed merges (one scene, several incidents)",
                q.missed_merges)  # fmt: skip
        _misses(console, f"{q.split}: false merges (several scenes, one incident)",
                q.false_merges)  # fmt: skip
        conf = Table(title=f"{q.split}: top category confusions")
        for c in ("label", "predicted", "reports"):
            conf.add_column(c, justify="right" if c == "reports" else "left")
        for label, predicted, n in q.confusions:
            conf.add_row(label, predicted or "(none)", str(n))
        console.print(conf)
    notes = []
    if stripped:
        notes.append(
            "Location fields unknown to this intake were dropped before posting: "
            + ", ".join(sorted(stripped))
        )
    if refused:
        notes.append("refused: " + ", ".join(f"{k} × {v}" for k, v in sorted(refused.items())))
    for q in results:
        if q.split == "heldout":
            met = (q.recall >= TARGET_RECALL and q.precision >= TARGET_PRECISION
                   and q.accuracy >= TARGET_ACCURACY)  # fmt: skip
            notes.append(
                "held-out targets (recall ≥ 95 %, precision ≥ 98 %, accuracy ≥ 90 %): "
                + ("[green]met[/green]" if met else "[red]not met[/red]")
            )
    console.print(f"{datetime.now(UTC):%Y-%m-%d}, Python {platform.python_version()}. "
                  + " ".join(notes))  # fmt: skip


def _who(o: Outcome) -> str:
    return f"#{o.index} {o.note[:36]} [{o.label or '—'}→{o.predicted or '—'}, inc {o.incident}]"


def _misses(console: Console, title: str, misses: Sequence[PairMiss]) -> None:
    t = Table(title=title)
    for c in ("scene(s)", "report a", "report b", "distance m", "apart min"):
        t.add_column(c, justify="right" if c in ("distance m", "apart min") else "left")
    for m in misses:
        scenes = m.a.scene if m.a.scene == m.b.scene else f"{m.a.scene} / {m.b.scene}"
        t.add_row(scenes, _who(m.a), _who(m.b), _m(m.distance_m), f"{m.apart_s / 60:.0f}")
    console.print(t)


def _outcome_json(o: Outcome) -> dict[str, Any]:
    return {"index": o.index, "scene": o.scene, "note": o.note, "label": o.label,
            "predicted": o.predicted, "incident": o.incident}  # fmt: skip


def _miss_json(m: PairMiss) -> dict[str, Any]:
    return {
        "a": _outcome_json(m.a),
        "b": _outcome_json(m.b),
        "distance_m": None if m.distance_m is None else round(m.distance_m, 1),
        "apart_s": round(m.apart_s),
    }


def quality_json(
    results: Sequence[SplitQuality],
    *,
    files: Sequence[Path],
    stripped: Iterable[str],
    refused: dict[str, int],
    hide_misses: set[str],
) -> dict[str, Any]:
    splits = []
    for q in results:
        item: dict[str, Any] = {
            "split": q.split, "reports": q.reports, "scenes": q.scenes,
            "incidents": q.incidents, "refused": q.refused,
            "pairs_same_scene": q.pairs_together, "pairs_same_incident": q.pairs_merged,
            "pairs_both": q.pairs_both, "pair_precision": round(q.precision, 4),
            "pair_recall": round(q.recall, 4), "labelled": q.labelled, "hits": q.hits,
            "top1_accuracy": round(q.accuracy, 4), "unclassified": q.unclassified,
        }  # fmt: skip
        if q.split not in hide_misses:
            item["missed_merges"] = [_miss_json(m) for m in q.missed_merges]
            item["false_merges"] = [_miss_json(m) for m in q.false_merges]
            item["confusions"] = [
                {"label": lab, "predicted": pred, "reports": n} for lab, pred, n in q.confusions
            ]
        splits.append(item)
    return {
        "date": f"{datetime.now(UTC):%Y-%m-%d}",
        "python": platform.python_version(),
        "corpus": [str(f) for f in files],
        "stripped_location_fields": sorted(stripped),
        "refused": refused,
        "splits": splits,
    }
