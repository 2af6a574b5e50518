"""``yingji bench merge-quality`` end to end on a small corpus of the contract's format.

The corpus is written here by hand with places of the demo district: one fire reported
three times at one building within minutes (one incident whatever the rules), a fourth
report of that fire labelled with it but placed 2 km off (no rule merges that), and an
unrelated fall 3 km away. Pair figures by hand: 6 pairs labelled together, 3 merged, all
3 right: recall 0.5, precision 1.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from yingji.bench.screening.places import distance_m, district_places, near
from yingji.cli import app

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 7, 20, 9, 30, tzinfo=CST)


def record(n: int, scene: str, category: str | None, text: str, pos: tuple[float, float],
           minutes: float, **location: Any) -> dict[str, Any]:  # fmt: skip
    t = T0 + timedelta(minutes=minutes)
    return {
        "report": {
            "channel": "public",
            "source_id": f"mq-test-{n}",
            "occurred_at": t.isoformat(),
            "reported_at": (t + timedelta(minutes=2)).isoformat(),
            "text": text,
            "location": {"lon": pos[0], "lat": pos[1], "crs": "wgs84", **location},
        },
        "label": {"scene": scene, "category": category, "split": "tuning", "note": f"r{n}"},
    }


def small_corpus(path: Path) -> None:
    import random

    places = district_places()
    rng = random.Random(3)
    home = next(b for b in places.buildings_of("residential")
                if places.inside(b.lon, b.lat) and b.subdistrict == "七里山街道")  # fmt: skip
    spot = (home.lon, home.lat)
    far = near(places, rng, *spot, 1990, 2010)
    other = near(places, rng, *spot, 2990, 3010)
    assert 1900 < distance_m(spot, far) < 2100 and 2900 < distance_m(spot, other) < 3100
    fire = f"{home.name}着火了，浓烟很大，有人被困"
    rows = [
        record(1, "F", "21C01", fire, spot, 0, source="geocoded"),
        record(2, "F", "21C01", f"{home.name}楼上起火了", spot, 3, source="gps", accuracy_m=10.0),
        record(3, "F", "21C01", f"119转：{home.name}火灾", spot, 5, source="cell"),
        record(4, "F", "21C01", f"{home.name}那边着火了", far, 6, source="cell", accuracy_m=500.0),
        record(5, "G", None, "喂？喂？", other, 40, source="geocoded"),
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def test_merge_quality_replays_a_corpus_and_prints_pair_figures(tmp_path: Path) -> None:
    corpus = tmp_path / "small.jsonl"
    small_corpus(corpus)
    result = CliRunner().invoke(app, ["bench", "merge-quality", "--corpus", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout[result.stdout.index("{") :])
    (q,) = out["splits"]
    assert q["split"] == "tuning" and q["reports"] == 5 and q["refused"] == 0
    assert (q["pairs_same_scene"], q["pairs_same_incident"], q["pairs_both"]) == (6, 3, 3)
    assert q["pair_recall"] == 0.5 and q["pair_precision"] == 1.0
    assert q["incidents"] == 3
    assert q["labelled"] == 4  # the empty call has no label
    assert q["top1_accuracy"] == q["hits"] / 4
    (miss,) = q["missed_merges"]
    assert miss["a"]["scene"] == miss["b"]["scene"] == "F"
    assert 1500 < miss["distance_m"] < 2600  # the report 2 km off, as the intake placed it
    assert q["false_merges"] == []


def test_merge_quality_table_and_bad_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "small.jsonl"
    small_corpus(corpus)
    ok = CliRunner().invoke(app, ["bench", "merge-quality", "--corpus", str(corpus)],
                            env={"COLUMNS": "200"})  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert (
        "precision" in ok.output
        and "recall" in ok.output
        and "100.0 %" in ok.output
        and "50.0 %" in ok.output
    )
    assert "missed merges" in ok.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"report": {}}\n', encoding="utf-8")
    bad = CliRunner().invoke(app, ["bench", "merge-quality", "--corpus", str(broken)])
    assert bad.exit_code == 2 and "not a corpus record" in bad.output


def test_held_out_misses_stay_hidden_unless_asked(tmp_path: Path) -> None:
    corpus = tmp_path / "small.jsonl"
    small_corpus(corpus)
    text = corpus.read_text(encoding="utf-8").replace('"split": "tuning"', '"split": "heldout"')
    corpus.write_text(text, encoding="utf-8")
    hidden = CliRunner().invoke(app, ["bench", "merge-quality", "--corpus", str(corpus),
                                      "--json"])  # fmt: skip
    assert hidden.exit_code == 0, hidden.output
    (q,) = json.loads(hidden.stdout[hidden.stdout.index("{") :])["splits"]
    assert q["split"] == "heldout" and q["pair_recall"] == 0.5
    assert "missed_merges" not in q and "confusions" not in q
