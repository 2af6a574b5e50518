"""The labelled screening corpus: generate it, write it, read it.

``yingji bench make-corpus`` writes the two shipped files under
``src/yingji/bench/data/screening/``: ``tuning.jsonl`` (the rules may be tuned on it) and
``heldout.jsonl`` (never opened while tuning; its phrasebook ``phrases_heldout`` neither).
Each line is ``{"report": <a POST /api/v1/reports body>, "label": {"scene", "category",
"split", "note"}}``, in the order the reports arrive (``reported_at``); the format is fixed
by the issue-13 contract and read by ``yingji bench merge-quality`` and by the duty
officer's exported corrections. Generation is deterministic: the same code gives the same
bytes, and a test regenerates both files and compares.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from yingji.bench.screening.places import district_places
from yingji.bench.screening.scenes import Draft, Phrasebook, Scene, draw_scenes

SPLITS = ("heldout", "tuning")
DATA_PACKAGE = "yingji.bench"
DATA_DIR = "data/screening"


def phrasebook(split: str) -> Phrasebook:
    """The phrasebook of one part (imported only when asked for: see the held-out rule)."""
    if split == "heldout":
        from yingji.bench.screening.phrases_heldout import BOOK
    elif split == "tuning":
        from yingji.bench.screening.phrases_tuning import BOOK
    else:
        raise ValueError(f"unknown split: {split}")
    return BOOK


def shipped_path(split: str) -> Path:
    """Where the shipped file of ``split`` lives (inside the installed package)."""
    return Path(str(resources.files(DATA_PACKAGE).joinpath(f"{DATA_DIR}/{split}.jsonl")))


def generate(split: str) -> list[dict[str, Any]]:
    """The records of one part, in arrival order."""
    book = phrasebook(split)
    scenes = draw_scenes(book, district_places())
    return records(book, scenes)


def records(book: Phrasebook, scenes: Iterable[Scene]) -> list[dict[str, Any]]:
    rows = [(d, s) for s in scenes for d in s.drafts]
    rows.sort(key=lambda r: (r[0].reported, r[1].sid))
    out = []
    for seq, (d, s) in enumerate(rows, 1):
        out.append({"report": body(book, d, seq), "label": label(book, d, s)})
    return out


def body(book: Phrasebook, d: Draft, seq: int) -> dict[str, Any]:
    """The POST /api/v1/reports body of a draft."""
    origin = d.extra.get("linkage") or {"public": "12345"}.get(d.channel, d.channel)
    location: dict[str, Any] = {
        "lon": d.pos[0],
        "lat": d.pos[1],
        "crs": "wgs84",
        "source": d.source,
    }
    if d.accuracy_m is not None:
        location["accuracy_m"] = float(d.accuracy_m)
    out: dict[str, Any] = {
        "channel": d.channel,
        "source_id": f"{book.prefix}-{origin}-{d.occurred:%Y%m%d}-{seq:05d}",
        "occurred_at": d.occurred.replace(microsecond=0).isoformat(),
        "reported_at": d.reported.replace(microsecond=0).isoformat(),
        "title": d.title,
        "text": d.text,
        "location": location,
    }
    if d.address:
        out["address"] = d.address
    if d.reporter:
        out["reporter"] = d.reporter
    if d.casualties:
        out["casualties"] = d.casualties
    if d.extra:
        out["extra"] = d.extra
    return out


def label(book: Phrasebook, d: Draft, s: Scene) -> dict[str, Any]:
    return {"scene": s.sid, "category": d.category, "split": book.split, "note": d.note}


def dumps(rows: Iterable[dict[str, Any]]) -> str:
    """JSON Lines, UTF-8 text (no ASCII escapes), one record a line, stable key order."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def write(split: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{split}.jsonl"
    path.write_text(dumps(generate(split)), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Record:
    report: dict[str, Any]
    scene: str
    category: str | None
    split: str
    note: str


def read(path: Path) -> Iterator[Record]:
    """The records of a corpus file in the contract's format (any file: shipped or exported)."""
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                lab = raw["label"]
                yield Record(
                    raw["report"],
                    str(lab["scene"]),
                    lab.get("category"),
                    str(lab.get("split", "")),
                    str(lab.get("note", "")),
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: not a corpus record ({exc})") from exc
