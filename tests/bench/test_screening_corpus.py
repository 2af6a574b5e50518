"""The shipped screening corpus: deterministic, big and varied enough, every body valid.

Regenerating must give the committed files byte for byte, so a change to the generator (or
to the demo district it draws places from) that would move the corpus fails here until the
files are written again with ``yingji bench make-corpus``.
"""

from __future__ import annotations

import json
import random
import re
import statistics
from collections import Counter, defaultdict
from datetime import datetime
from functools import cache
from typing import Any

import pytest
import shapely
from typer.testing import CliRunner

from yingji.bench.screening import corpus, scenes
from yingji.bench.screening.places import distance_m, district_places
from yingji.cli import app
from yingji.intake import categories
from yingji.intake.schemas import Location, ReportIn

# the platform's everyday-help classes of the issue-13 contract (outside GB/T 35561)
PLATFORM_CODES = {"91A01", "91A02", "92A01", "93A01", "94A01", "95A01", "99A99"}
CHANNELS = {"notice", "grid", "public", "internet", "alarm", "sensor"}


@cache
def shipped(split: str) -> list[dict[str, Any]]:
    text = corpus.shipped_path(split).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def everything() -> list[dict[str, Any]]:
    return shipped("heldout") + shipped("tuning")


def by_scene(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[r["label"]["scene"]].append(r)
    return out


@pytest.mark.parametrize("split", corpus.SPLITS)
def test_generation_gives_the_committed_bytes_twice(split: str) -> None:
    first = corpus.dumps(corpus.generate(split))
    assert corpus.dumps(corpus.generate(split)) == first
    assert corpus.shipped_path(split).read_text(encoding="utf-8") == first, (
        f"{split}.jsonl drifted from its generator: run `yingji bench make-corpus`"
    )


def test_make_corpus_writes_the_shipped_bytes_and_check_finds_a_stale_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    run = CliRunner().invoke
    result = run(app, ["bench", "make-corpus", "--split", "heldout", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "heldout.jsonl"
    assert written.read_bytes() == corpus.shipped_path("heldout").read_bytes()
    written.write_text("{}\n", encoding="utf-8")
    stale = run(app, ["bench", "make-corpus", "--split", "heldout", "--check", "--out",
                      str(tmp_path)])  # fmt: skip
    assert stale.exit_code == 1 and "differs" in stale.output
    assert written.read_text(encoding="utf-8") == "{}\n"  # --check writes nothing


def test_counts_and_splits() -> None:
    held, tuning = shipped("heldout"), shipped("tuning")
    assert len(held) + len(tuning) >= 2000
    assert len(held) >= 500
    assert {r["label"]["split"] for r in held} == {"heldout"}
    assert {r["label"]["split"] for r in tuning} == {"tuning"}
    assert all(r["label"]["scene"].startswith("H") for r in held)
    assert all(r["label"]["scene"].startswith("T") for r in tuning)
    ids = [r["report"]["source_id"] for r in everything()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("split", corpus.SPLITS)
def test_every_channel_and_every_linked_line(split: str) -> None:
    rows = shipped(split)
    assert {r["report"]["channel"] for r in rows} == CHANNELS
    linkage = Counter(r["report"].get("extra", {}).get("linkage") for r in rows)
    assert {"110", "119", "120", "122"} <= set(linkage)
    linked = [r for r in rows if r["report"].get("extra", {}).get("linkage")]
    assert all(r["report"]["channel"] == "public" for r in linked)
    sources = Counter(r["report"]["location"]["source"] for r in linked)
    assert sources["cell"] > sources["gps"] > 0
    stated = [r["report"]["location"].get("accuracy_m") for r in linked
              if r["report"]["location"]["source"] == "cell"]  # fmt: skip
    assert any(a is None for a in stated) and any(a is not None for a in stated)
    assert all(a is None or 200 <= a <= 1000 for a in stated)


@pytest.mark.parametrize("split", corpus.SPLITS)
def test_labels_cover_everyday_calls_emergencies_and_empty_texts(split: str) -> None:
    rows = shipped(split)
    labels = Counter(r["label"]["category"] for r in rows)
    assert set(labels) >= PLATFORM_CODES
    for code in ("21B01", "21C01", "21C02", "21D01", "21D02", "21D03", "21D04", "21D05",
                 "11A02", "21A03", "12B02", "15A01"):  # fmt: skip
        assert labels[code] > 0, code
    assert labels[None] >= 3
    # everyday calls: the platform's classes and the utilities' (water, power, lifts)
    everyday = sum(n for code, n in labels.items()
                   if code in PLATFORM_CODES | {"21D01", "21D02", "21D04"})  # fmt: skip
    assert everyday >= 0.35 * len(rows)
    for code in labels:
        if code is not None:
            assert code in PLATFORM_CODES or categories.path(code) is not None, code


@pytest.mark.parametrize("split", corpus.SPLITS)
def test_scene_sizes_and_cross_category_scenes(split: str) -> None:
    groups = by_scene(shipped(split))
    sizes = Counter(len(g) for g in groups.values())
    assert sizes[1] >= 0.5 * len(groups)  # most scenes are one call
    assert max(sizes) <= 8 and sum(n for s, n in sizes.items() if 2 <= s <= 8) >= 50
    mixed = [{r["label"]["category"] for r in g} for g in groups.values()]
    mixed = [m for m in mixed if len(m) > 1]
    assert len(mixed) >= 8
    assert any({"21B01", "21C02"} <= m for m in mixed)  # crash + car fire (+ injured)
    assert any({"21D03", "21C01"} <= m for m in mixed)  # gas explosion + fire
    assert any({"11A02", "21D02"} <= m for m in mixed)  # waterlogging + power cut


@pytest.mark.parametrize("split", corpus.SPLITS)
def test_times_late_reports_and_repeated_callers(split: str) -> None:
    rows = shipped(split)
    arrived = [datetime.fromisoformat(r["report"]["reported_at"]) for r in rows]
    assert arrived == sorted(arrived)  # in arrival order
    delays = [(a - datetime.fromisoformat(r["report"]["occurred_at"])).total_seconds() / 60
              for a, r in zip(arrived, rows, strict=True)]  # fmt: skip
    assert min(delays) >= 0
    assert statistics.median(delays) < 6
    assert sum(1 for d in delays if d >= 30) >= 10  # late reports
    for g in by_scene(rows).values():
        times = [datetime.fromisoformat(r["report"]["occurred_at"]) for r in g]
        assert (max(times) - min(times)).total_seconds() <= 4 * 3600
    repeats = 0
    for g in by_scene(rows).values():
        phones = Counter(r["report"].get("reporter", {}).get("phone") for r in g)
        repeats += sum(1 for p, n in phones.items() if p and n > 1)
    assert repeats >= 10


def test_every_report_is_a_valid_body_inside_the_district() -> None:
    """Valid on the intake's ReportIn as it stands. Until the intake's Location has the
    contract's ``accuracy_m`` and ``source`` (branch merge-rules), those keys are removed
    before validating, as ``bench merge-quality`` does before posting."""
    known = set(Location.model_fields)
    outline = district_places().outline
    for r in everything():
        body = json.loads(json.dumps(r["report"]))
        loc = body["location"]
        assert loc["source"] in ("gps", "cell", "wifi", "manual", "geocoded")
        assert loc.get("accuracy_m") is None or 0 < loc["accuracy_m"] <= 50_000
        body["location"] = {k: v for k, v in loc.items() if k in known}
        ReportIn.model_validate(body)
        assert shapely.contains_xy(outline, loc["lon"], loc["lat"])
        words = re.sub(r"%LEL|ppm|cm", "", body["text"])  # sensors' units, as they print them
        assert not re.search("[A-Za-z]", words), body["text"]


def test_the_held_out_phrasebook_shares_no_template_with_the_tuning_one() -> None:
    held, tuning = corpus.phrasebook("heldout"), corpus.phrasebook("tuning")
    assert held.seed != tuning.seed and held.start != tuning.start
    for key in scenes.KEY_CATEGORY:
        assert not set(held.texts[key]) & set(tuning.texts[key]), key
    # the bare names and the postal and official crossroads forms are everyone's
    plain = {"{name}", "{street}", "{community}", "{a}与{b}路口", "{street}{number}{estate}"}
    for kind in held.place_forms:
        assert not (set(held.place_forms[kind]) & set(tuning.place_forms[kind])) - plain, kind
    for key in held.sensors:  # channel frames (``120联动：``) may be shared, as platforms'
        assert not set(held.sensors[key]) & set(tuning.sensors[key]), key


# ---------------------------------------------------------------- the scene machinery
def writer(seed: int) -> scenes.Writer:
    book = corpus.phrasebook("tuning")
    w = scenes.Writer(book, district_places())
    w.rng = random.Random(seed)
    return w


T = datetime.fromisoformat("2026-07-14T10:00:00+08:00")


@pytest.mark.parametrize("seed", range(8))
def test_two_crashes_are_at_two_crossroads_200_to_450_m_apart_within_20_minutes(seed) -> None:  # type: ignore[no-untyped-def]
    a, b = scenes.two_crashes(writer(seed), T)
    places = district_places()
    where = {c.name: (c.lon, c.lat) for c in places.crossroads}
    (ca,) = {d.note.split("：", 1)[1].removesuffix("车祸伤员").removesuffix("车祸后车辆起火")
             .removesuffix("车祸") for d in a}  # fmt: skip
    (cb,) = {d.note.split("：", 1)[1].removesuffix("车祸伤员").removesuffix("车祸后车辆起火")
             .removesuffix("车祸") for d in b}  # fmt: skip
    assert ca != cb
    assert 200 <= distance_m(where[ca], where[cb]) <= 450
    start_a, start_b = min(d.occurred for d in a), min(d.occurred for d in b)
    assert abs((start_b - start_a).total_seconds()) <= 30 * 60


@pytest.mark.parametrize("seed", range(8))
def test_a_flood_strings_its_reports_600_to_900_m_along_one_line(seed) -> None:  # type: ignore[no-untyped-def]
    drafts = scenes.flood_line(writer(seed), T)
    marks = [float(d.note.rsplit("（", 1)[1].removesuffix(" 米处）")) for d in drafts]
    assert 3 <= len(drafts) <= 6
    assert 600 - 1 <= max(marks) - min(marks) <= 900 + 1
    assert {d.category for d in drafts} == {"11A02"}


@pytest.mark.parametrize("seed", range(8))
def test_chemical_odours_and_forest_smoke_are_reported_from_far_off(seed) -> None:  # type: ignore[no-untyped-def]
    chem = scenes.chemical(writer(seed), T)
    source = chem[0].pos
    assert max(distance_m(source, d.pos) for d in chem) >= 250
    assert max(distance_m(source, d.pos) for d in chem) <= 1600  # 900 m + a cell fix
    fire = scenes.forest_fire(writer(seed), T)
    assert {d.category for d in fire} == {"15A01"}
    assert max(distance_m(fire[0].pos, d.pos) for d in fire[1:]) >= 400


def test_forest_smoke_is_seen_from_about_two_kilometres_somewhere_in_the_corpus() -> None:
    far = 0.0
    for seed in range(30):
        fire = scenes.forest_fire(writer(seed), T)
        far = max(far, *(distance_m(fire[0].pos, d.pos) for d in fire[1:]))
    assert far >= 1800
