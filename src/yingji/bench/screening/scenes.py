"""The screening corpus's scenes: what happened, who called it in, from where, when.

A *scene* is one real event; its reports are what the intake receives about it. This module
is the shared machinery — the kinds of scene a district gets, how many reports each draws,
how callers' positions and times scatter — and a :class:`Phrasebook` gives it every word
the reports say. The two parts of the corpus each have their own phrasebook (own templates,
place forms, typos, seed, day and mix), so rules tuned on the words of the tuning part are
measured on words they have not seen (see ``docs/intake.md``, "The screening corpus").

How reports scatter, by how their position was got (``location.source``):

| channel (source)            | offset from the scene | stated accuracy        | arrives after    |
| 110/119/120/122 linkage (cell) | 100–600 m          | 200–1,000 m, 60 % of calls | 0.5–4 min    |
| linkage with handset fix (gps) | 5–50 m             | 10–50 m                | 0.5–4 min        |
| 12345 / public (geocoded)   | 10–80 m (the typed address) | none           | 1–8 min          |
| grid worker (gps)           | 5–25 m                | 5–20 m                 | 3–40 min         |
| internet post (geocoded)    | 50–300 m              | none                   | 8–90 min         |
| one-key alarm (gps)         | 5–40 m                | 5–40 m                 | under 1 min      |
| sensor (manual: surveyed)   | 0–10 m                | 5 m                    | under 2 min      |
| upper-level notice (geocoded) | 20–150 m            | none                   | 20–120 min       |

Cell positions of linkage calls are a few hundred metres off, as the operators of 110 see
them; a caller's own time of the event is within minutes of the scene's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import EllipsisType
from typing import Any

from yingji.bench.screening.places import (
    Building,
    Crossroads,
    Places,
    Street,
    along,
    distance_m,
    in_polygon,
    near,
)
from yingji.demo import names

# category codes (see /work/notes/SCREENING_CONTRACT.md and docs/intake.md)
CRASH, CAR_FIRE, BUILDING_FIRE = "21B01", "21C02", "21C01"
GAS, LIFT, POWER, WATER = "21D03", "21D04", "21D02", "21D01"
COLLAPSE, WATERLOG, CHEMICAL = "21D05", "11A02", "21A03"
LANDSLIDE, FOREST_FIRE = "12B02", "15A01"
ILLNESS, INJURY, ALARM_CHECK, TREE, ANIMAL, NOISE, OTHER = (
    "91A01",
    "91A02",
    "92A01",
    "93A01",
    "94A01",
    "95A01",
    "99A99",
)

# the label of each text key: the code the report's own words indicate
KEY_CATEGORY: dict[str, str | None] = {
    "crash": CRASH,
    "crash.injured": CRASH,
    "car_fire": CAR_FIRE,
    "building_fire": BUILDING_FIRE,
    "building_fire.injured": BUILDING_FIRE,
    "gas_odour": GAS,
    "explosion": GAS,
    "explosion.injured": GAS,
    "collapse": COLLAPSE,
    "waterlog": WATERLOG,
    "waterlog.car": WATERLOG,
    "waterlog.crash": CRASH,
    "power_cut": POWER,
    "burst_main": WATER,
    "elevator": LIFT,
    "chemical": CHEMICAL,
    "chemical.odour": CHEMICAL,
    "forest_fire": FOREST_FIRE,
    "forest_fire.far": FOREST_FIRE,
    "landslide": LANDSLIDE,
    "illness": ILLNESS,
    "fall": INJURY,
    "alarm": ALARM_CHECK,
    "tree": TREE,
    "animal": ANIMAL,
    "noise": NOISE,
    "other": OTHER,
    "null": None,
}

CHANNEL_DELAY_MIN: dict[str, tuple[float, float]] = {
    "linkage": (0.5, 4),
    "public": (1, 8),
    "grid": (3, 40),
    "internet": (8, 90),
    "alarm": (0, 1),
    "sensor": (0, 2),
    "notice": (20, 120),
}
CROSSROADS_REST = timedelta(hours=4)
STATED_CELL_ACCURACY_M = (200.0, 300.0, 500.0, 500.0, 800.0, 1000.0)


class Crowded(Exception):
    """No place is left for another scene of a kind at that time (see ``Writer.spaced``)."""


@dataclass(frozen=True)
class Phrasebook:
    """Every word and choice that differs between the corpus's two parts."""

    split: str  # "tuning" or "heldout"
    prefix: str  # scene ids and source ids start with it: "T" / "H"
    seed: int
    start: datetime  # local midnight of the first day (+08:00)
    days: int
    target_reports: int
    storm: tuple[tuple[int, int, int], ...]  # (day, from hour, to hour) of heavy rain
    hour_weights: tuple[float, ...]  # 24 weights: when everyday calls come
    scene_weights: dict[str, float]
    texts: dict[str, list[str]]  # what callers say, by key (see KEY_CATEGORY)
    linkage: dict[str, list[str]]  # how each linked line writes a transferred call
    wraps: dict[str, list[str]]  # how other channels frame a text: {body}
    events: dict[str, list[str]]  # formal event phrases for notices and posts
    sensors: dict[str, list[str]]  # sensor messages by key: {device} {value}
    place_forms: dict[str, list[str]]
    injured_words: dict[int, list[str]]
    who: list[str]
    repeat: list[str]  # a repeated caller's opening: {body}
    typos: dict[str, list[str]]
    typo_rate: float
    titles: dict[str, list[str]] = field(default_factory=dict)  # notice titles: {event}


@dataclass
class Draft:
    """One report before it is written out."""

    channel: str
    occurred: datetime
    reported: datetime
    text: str
    pos: tuple[float, float]
    source: str
    accuracy_m: float | None
    category: str | None
    note: str
    address: str = ""
    title: str = ""
    reporter: dict[str, str] | None = None
    casualties: dict[str, int] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    words: str = ""  # what the caller said, before the channel framed it


@dataclass
class Scene:
    kind: str
    t0: datetime
    drafts: list[Draft]
    sid: str = ""


class Writer:
    """Draws scenes from a phrasebook on the district's places; deterministic per seed."""

    def __init__(self, book: Phrasebook, places: Places) -> None:
        self.book = book
        self.places = places
        self.rng = random.Random(book.seed)
        self.residential = places.buildings_of("residential")
        self.public_places = places.buildings_of(
            "shop", "restaurant", "hotel", "market", "school", "hospital", "kindergarten"
        )
        self.homes = self.residential + places.buildings_of("nursing_home")
        self.works = places.buildings_of("factory", "warehouse", "gas_station")
        self.lined = [b for b in places.buildings if b.on_line]
        self.long_streets = [s for s in places.streets if s.length_m >= 800]
        self.streets = list(places.streets)
        hill_buildings = [b for b in places.buildings if self._in_hills(b)]
        self.hill_buildings = hill_buildings
        self.crossroads_busy: dict[str, list[datetime]] = {}
        self.claims: dict[str, list[tuple[tuple[float, float], datetime]]] = {}

    def free_crossroads(self, t: datetime, pool: list[Crossroads] | None = None) -> Crossroads:
        """A crossroads with no other crash of the corpus within ``CROSSROADS_REST`` of ``t``:
        the demo district has 61 crossroads where a real one has hundreds, and two crashes
        at one crossroads an hour apart are two events no rule could tell apart."""
        options = pool if pool is not None else list(self.places.crossroads)
        for _ in range(40):
            c = self.rng.choice(options)
            if self.rest(c, t):
                break
        self.crossroads_busy.setdefault(c.name, []).append(t)
        return c

    def spaced(
        self,
        draw: Callable[[], Any],
        pos: Callable[[Any], tuple[float, float]],
        group: str,
        t: datetime,
        radius_m: float,
        hours: float,
    ) -> Any:
        """A place from ``draw`` with no other scene of ``group`` within ``radius_m`` and
        ``hours`` of ``t``; :class:`Crowded` after 60 tries (the scene is then not drawn).

        Two scenes that a duty officer would himself call one event (the same estate's
        power cut twice in an hour, two waterlogged spots 400 m apart in one storm) would be
        labels no one could defend: scenes of one kind are kept apart by about the
        distance and time the issue's merge policy gives that kind. The near-but-distinct
        pairs (two falls, two crashes) are drawn on purpose and stay."""
        rest = timedelta(hours=hours)
        taken = self.claims.setdefault(group, [])
        for _ in range(60):
            x = draw()
            p = pos(x)
            if self.free(group, p, t, radius_m, rest):
                taken.append((p, t))
                return x
        raise Crowded(group)

    def free(self, group: str, p: tuple[float, float], t: datetime, radius_m: float,
             rest: timedelta) -> bool:  # fmt: skip
        return all(
            abs(t - u) > rest or distance_m(p, q) > radius_m for q, u in self.claims.get(group, [])
        )

    def rest(self, c: Crossroads, t: datetime) -> bool:
        return all(abs(t - u) > CROSSROADS_REST for u in self.crossroads_busy.get(c.name, []))

    # ------------------------------------------------------------------ words
    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options)

    def typo(self, text: str) -> str:
        """Now and then a homophone or slip, as a hurried operator types it."""
        if self.rng.random() >= self.book.typo_rate:
            return text
        found = [w for w in self.book.typos if w in text]
        if not found:
            return text
        word = self.rng.choice(found)
        return text.replace(word, self.rng.choice(self.book.typos[word]), 1)

    def fill(self, template: str, **kw: Any) -> str:
        values = {"n": self.injured(1), "who": self.pick(self.book.who), "floor": "3"}
        values.update(kw)
        return template.format(**values)

    def say(self, key: str, **kw: Any) -> str:
        return self.typo(self.fill(self.pick(self.book.texts[key]), **kw))

    def injured(self, count: int) -> str:
        words = self.book.injured_words
        return self.pick(words.get(count, words[max(words)]))

    def form(self, kind: str, **kw: Any) -> str:
        return self.pick(self.book.place_forms[kind]).format(**kw)

    def building_phrase(self, b: Building) -> str:
        if b.kind == "residential":
            unit = self.rng.randint(1, 4)
            return self.form(
                "estate",
                estate=b.estate,
                name=b.name,
                unit=unit,
                street=b.street,
                number=b.house_number,
                community=b.community,
            )
        return self.form(
            "building", name=b.name, street=b.street, number=b.house_number, community=b.community
        )

    def crossroads_phrase(self, c: Crossroads) -> str:
        a, b = (c.road_a, c.road_b) if self.rng.random() < 0.6 else (c.road_b, c.road_a)
        return self.form("crossroads", a=a, b=b)

    def street_phrase(self, s: Street, landmark: Building | None = None) -> str:
        if landmark is not None:
            return self.form("street_landmark", road=s.road, street=s.name, name=landmark.name)
        return self.form("street", road=s.road, street=s.name)

    # ------------------------------------------------------------------ reports
    def person(self) -> dict[str, str]:
        return {"name": names.person_name(self.rng), "phone": names.mobile_phone(self.rng)}

    def report(
        self,
        how: str,
        *,
        key: str,
        t: datetime,
        at: tuple[float, float],
        place: str,
        note: str,
        text: str | None = None,
        reporter: dict[str, str] | None = None,
        casualties: dict[str, int] | None = None,
        category: str | EllipsisType | None = ...,
        **kw: Any,
    ) -> Draft:
        """A report of the scene at ``at`` by ``how``: ``110``/``119``/``120``/``122`` (linked
        calls), ``public``, ``grid``, ``internet``, ``alarm``, ``sensor`` or ``notice``."""
        rng = self.rng
        body = text if text is not None else self.say(key, place=place, **kw)
        words = body
        extra: dict[str, Any] = {}
        title = ""
        if how in ("110", "119", "120", "122"):
            channel, delay = "public", CHANNEL_DELAY_MIN["linkage"]
            body = self.pick(self.book.linkage[how]).format(body=body)
            extra["linkage"] = how
            if rng.random() < 0.75:
                source, off = "cell", rng.uniform(100, 600)
                accuracy = rng.choice(STATED_CELL_ACCURACY_M) if rng.random() < 0.6 else None
            else:
                source, off = "gps", rng.uniform(5, 50)
                accuracy = round(rng.uniform(10, 50))
        else:
            channel, delay = how, CHANNEL_DELAY_MIN[how]
            source, low, high, accuracy = {
                "public": ("geocoded", 10, 80, None),
                "grid": ("gps", 5, 25, round(rng.uniform(5, 20))),
                "internet": ("geocoded", 50, 300, None),
                "alarm": ("gps", 5, 40, round(rng.uniform(5, 40))),
                "sensor": ("manual", 0, 10, 5),
                "notice": ("geocoded", 20, 150, None),
            }[how]
            off = rng.uniform(low, high)
            if how in ("public", "grid", "internet", "alarm", "notice"):
                body = self.pick(self.book.wraps[how]).format(body=body)
            if how == "notice":
                title = self.pick(self.book.titles.get("notice", [""])).format(body=body[:12])
            if how == "sensor":
                extra["device"] = kw.get("device", "")
        pos = near(self.places, rng, at[0], at[1], off * 0.9, off) if off > 0 else at
        occurred = t
        reported = t + timedelta(minutes=rng.uniform(*delay))
        if reporter is None and how not in ("sensor", "notice", "internet"):
            reporter = self.person()
        if how == "internet":
            reporter = {"name": "网民" + names.brand(rng) + str(rng.randint(10, 999)), "phone": ""}
        label = KEY_CATEGORY[key] if isinstance(category, EllipsisType) else category
        return Draft(
            channel=channel,
            occurred=occurred,
            reported=reported,
            text=body,
            pos=pos,
            source=source,
            accuracy_m=accuracy,
            category=label,
            note=note,
            title=title,
            reporter=reporter,
            casualties=casualties,
            extra=extra,
            words=words,
        )

    def sensor(
        self, key: str, *, t: datetime, at: tuple[float, float], place: str, note: str, value: str
    ) -> Draft:
        device = f"{self.rng.randint(1000, 9999)}-{self.rng.randint(1, 99):02d}"
        text = self.typo(
            self.pick(self.book.sensors[key]).format(device=device, value=value, place=place)
        )
        d = self.report(
            "sensor", key=key, t=t, at=at, place=place, note=note, text=text, device=device
        )
        return d

    def repeat_of(
        self,
        first: Draft,
        key: str,
        *,
        place: str,
        minutes: tuple[float, float],
        note: str,
        **kw: Any,
    ) -> Draft:
        """The same caller again, later, from about the same place."""
        body = self.pick(self.book.repeat).format(body=self.typo(first.words))
        t = first.occurred + timedelta(minutes=self.rng.uniform(*minutes))
        d = self.report(
            "public",
            key=key,
            t=t,
            at=first.pos,
            place=place,
            note=note,
            text=body,
            reporter=first.reporter,
        )
        return d

    # ------------------------------------------------------------------ time
    def minutes(self, t: datetime, low: float, high: float) -> datetime:
        return t + timedelta(minutes=self.rng.uniform(low, high))

    def sizes(self, weights: dict[int, float]) -> int:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _in_hills(self, b: Building) -> bool:
        import shapely

        return any(shapely.contains_xy(h, b.lon, b.lat) for h in self.places.hills)

    def hill_spot(self) -> tuple[float, float]:
        return in_polygon(self.rng, self.rng.choice(self.places.hills), self.places)


# ---------------------------------------------------------------------- scene kinds
def _at(b: Building) -> tuple[float, float]:
    return b.lon, b.lat


def _middle(s: Street) -> tuple[float, float]:
    return along(s, s.length_m / 2)


def _single(
    w: Writer,
    key: str,
    pool: list[Building],
    t: datetime,
    hows: dict[str, float],
    repeat_p: float,
    noun: str,
    spaced: bool = True,
) -> list[Draft]:
    b = w.spaced(lambda: w.rng.choice(pool), _at, key, t, 80, 3) if spaced else pool[0]
    place = w.building_phrase(b)
    how = w.rng.choices(list(hows), weights=list(hows.values()))[0]
    first = w.report(
        how,
        key=key,
        t=t,
        at=(b.lon, b.lat),
        place=place,
        note=f"{noun}：{b.name}",
        who=w.pick(w.book.who),
    )
    out = [first]
    if w.rng.random() < repeat_p and how != "sensor":
        out.append(
            w.repeat_of(
                first,
                key,
                place=w.building_phrase(b),
                minutes=(6, 40),
                note=f"同一来电人再次来电：{b.name}",
            )
        )
    return out


def everyday(
    key: str, pool: str, hows: dict[str, float], repeat_p: float, noun: str
) -> Callable[[Writer, datetime], list[Draft]]:
    def make(w: Writer, t: datetime) -> list[Draft]:
        buildings = {
            "homes": w.homes,
            "public": w.public_places,
            "lined": w.lined,
            "any": list(w.places.buildings),
        }[pool]
        return _single(w, key, buildings, t, hows, repeat_p, noun)

    return make


def crash(
    w: Writer, t: datetime, at: Crossroads | None = None, sizes: dict[int, float] | None = None
) -> list[Draft]:
    """A road crash at a crossroads (or on a street): 122/110, 120 for the injured, passers-by;
    now and then a car catches fire and 119 is called (crash + car fire + injured)."""
    rng = w.rng
    if at is None and rng.random() < 0.3:
        b = w.spaced(lambda: rng.choice(w.lined), _at, "crash", t, 200, 2)
        street = next(s for s in w.places.streets if s.code == b.on_line)
        spot, place_of = (b.lon, b.lat), (lambda: w.street_phrase(street, b))
        where = f"{street.road}（{b.name}附近）"
    else:
        c = at or w.free_crossroads(t)
        spot, place_of, where = (c.lon, c.lat), (lambda: w.crossroads_phrase(c)), c.name
    n = w.sizes(sizes or {1: 38, 2: 26, 3: 17, 4: 10, 5: 6, 6: 3})
    hurt = rng.choice((0, 1, 1, 2, 2, 3, 4))
    fire = n >= 3 and rng.random() < 0.35
    out: list[Draft] = []
    for k in range(n):
        tk = w.minutes(t, 0, 6)
        if fire and k == 1:
            out.append(
                w.report(
                    "119",
                    key="car_fire",
                    t=w.minutes(t, 2, 9),
                    at=spot,
                    place=place_of(),
                    note=f"119：{where}车祸后车辆起火",
                )
            )
            continue
        if (hurt and k in (0, 2)) or (hurt and n == 1 and rng.random() < 0.4):
            cas = {"injuries": hurt} if rng.random() < 0.5 else None
            out.append(
                w.report(
                    "120",
                    key="crash.injured",
                    t=tk,
                    at=spot,
                    place=place_of(),
                    note=f"120：{where}车祸伤员",
                    n=w.injured(hurt),
                    casualties=cas,
                )
            )
            continue
        how = rng.choices(("122", "110", "public", "internet", "grid"), (30, 25, 25, 12, 8))[0]
        out.append(
            w.report(
                how,
                key="crash",
                t=tk,
                at=spot,
                place=place_of(),
                note=f"{how}：{where}车祸",
                n=w.injured(max(hurt, 1)),
            )
        )
    return out


def car_fire(w: Writer, t: datetime) -> list[Draft]:
    s = w.rng.choice(w.streets)
    spot = along(s, w.rng.uniform(0, s.length_m))
    out = []
    for _ in range(w.sizes({1: 55, 2: 30, 3: 15})):
        how = w.rng.choice(("119", "119", "public", "110", "internet"))
        out.append(
            w.report(
                how,
                key="car_fire",
                t=w.minutes(t, 0, 8),
                at=spot,
                place=w.street_phrase(s),
                note=f"{how}：{s.name}车辆自燃",
            )
        )
    return out


def building_fire(w: Writer, t: datetime) -> list[Draft]:
    b = w.spaced(lambda: w.rng.choice(w.homes + w.public_places), _at, "fire", t, 400, 3)
    spot = (b.lon, b.lat)
    out = []
    for _ in range(w.sizes({1: 34, 2: 25, 3: 17, 4: 12, 5: 7, 6: 5})):
        how = w.rng.choices(
            ("119", "public", "grid", "internet", "alarm", "120"), (35, 25, 12, 14, 8, 6)
        )[0]
        key = "building_fire.injured" if how == "120" else "building_fire"
        out.append(
            w.report(
                how,
                key=key,
                t=w.minutes(t, 0, 12),
                at=spot,
                place=w.building_phrase(b),
                note=f"{how}：{b.name}起火",
                floor=str(w.rng.randint(2, 18)),
            )
        )
    if len(out) >= 3 and w.rng.random() < 0.3:
        out.append(
            w.sensor(
                "alarm",
                t=w.minutes(t, -3, 0),
                at=spot,
                place=b.name,
                note=f"烟感：{b.name}（起火前后）",
                value="",
            )
        )
    return out


def gas_explosion(w: Writer, t: datetime) -> list[Draft]:
    """Gas leak → explosion → fire → part of the building falls: one scene, four codes."""
    rng = w.rng
    b = w.spaced(lambda: rng.choice(w.residential), _at, "fire", t, 400, 3)
    spot, name = (b.lon, b.lat), b.name
    out = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        out.append(
            w.report(
                "public",
                key="gas_odour",
                t=w.minutes(t, -25, -5),
                at=spot,
                place=w.building_phrase(b),
                note=f"爆炸前的燃气味：{name}",
            )
        )
    for _ in range(rng.choice((1, 1, 2, 2))):
        how = rng.choice(("110", "119", "public", "internet"))
        out.append(
            w.report(
                how,
                key="explosion",
                t=w.minutes(t, 0, 4),
                at=spot,
                place=w.building_phrase(b),
                note=f"{how}：{name}燃气爆炸",
            )
        )
    for _ in range(rng.choice((0, 1, 1, 2))):
        out.append(
            w.report(
                "119",
                key="building_fire",
                t=w.minutes(t, 1, 8),
                at=spot,
                place=w.building_phrase(b),
                note=f"119：{name}爆炸后起火",
                floor=str(rng.randint(2, 12)),
            )
        )
    for _ in range(rng.choice((0, 1, 1))):
        out.append(
            w.report(
                rng.choice(("grid", "public")),
                key="collapse",
                t=w.minutes(t, 2, 15),
                at=spot,
                place=w.building_phrase(b),
                note=f"爆炸致{name}部分倒塌",
            )
        )
    for _ in range(rng.choice((0, 1, 1))):
        hurt = rng.randint(1, 5)
        out.append(
            w.report(
                "120",
                key="explosion.injured",
                t=w.minutes(t, 1, 10),
                at=spot,
                place=w.building_phrase(b),
                note=f"120：{name}爆炸伤员",
                n=w.injured(hurt),
                casualties={"injuries": hurt},
            )
        )
    if len(out) < 3:
        out.append(
            w.report(
                "notice",
                key="explosion",
                t=w.minutes(t, 0, 3),
                at=spot,
                place=b.name,
                note=f"上级通知：{name}燃气爆炸",
                text=w.fill(w.pick(w.book.events["explosion"]), place=b.name),
            )
        )
    return out


def storm_underpass(w: Writer, t: datetime) -> list[Draft]:
    """Heavy rain at a low street: water over the road, a car stalls or hits another, the
    estate beside it loses power (waterlogging + traffic + power cut)."""
    rng = w.rng
    s = w.spaced(lambda: rng.choice(w.streets), _middle, "water", t, 2000, 12)
    spot = along(s, rng.uniform(0.3, 0.7) * s.length_m)
    out = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        how = rng.choice(("public", "grid", "internet", "110"))
        out.append(
            w.report(
                how,
                key="waterlog",
                t=w.minutes(t, 0, 20),
                at=spot,
                place=w.street_phrase(s),
                note=f"{how}：{s.name}积水",
            )
        )
    if rng.random() < 0.5:
        out.append(
            w.sensor(
                "waterlog",
                t=w.minutes(t, 0, 10),
                at=spot,
                place=s.name,
                note=f"积水传感器：{s.name}",
                value=str(rng.randint(25, 80)),
            )
        )
    if rng.random() < 0.5:
        out.append(
            w.report(
                rng.choice(("110", "public")),
                key="waterlog.car",
                t=w.minutes(t, 5, 30),
                at=spot,
                place=w.street_phrase(s),
                note=f"{s.name}积水中车辆熄火",
            )
        )
    if rng.random() < 0.35:
        out.append(
            w.report(
                "122",
                key="waterlog.crash",
                t=w.minutes(t, 5, 30),
                at=spot,
                place=w.street_phrase(s),
                note=f"122：{s.name}积水路段追尾",
            )
        )
    homes = [b for b in w.residential if distance_m((b.lon, b.lat), spot) < 300
             and w.free("power", _at(b), t, 400, timedelta(hours=6))]  # fmt: skip
    if homes:
        w.claims.setdefault("power", []).append((spot, t))
    for _ in range(rng.choice((0, 1, 1, 2)) if homes else 0):
        b = rng.choice(homes)
        out.append(
            w.report(
                "public",
                key="power_cut",
                t=w.minutes(t, 5, 40),
                at=(b.lon, b.lat),
                place=w.building_phrase(b),
                note=f"同一场暴雨：{s.name}旁{b.estate}停电",
            )
        )
    return out


def flood_line(w: Writer, t: datetime) -> list[Draft]:
    """A long stretch of road under water: reports strung 600–900 m along one grid line."""
    rng = w.rng
    s = w.spaced(lambda: rng.choice(w.long_streets), _middle, "water", t, 2000, 12)
    span = rng.uniform(600, min(900, s.length_m))
    start = rng.uniform(0, s.length_m - span)
    n = rng.randint(3, 6)
    marks = sorted([start, start + span] + [start + rng.uniform(0, span) for _ in range(n - 2)])
    out = []
    for k, at_m in enumerate(marks):
        spot = along(s, at_m)
        tk = w.minutes(t, 0, 90)
        if k == 1 and rng.random() < 0.5:
            out.append(
                w.sensor(
                    "waterlog",
                    t=tk,
                    at=spot,
                    place=s.name,
                    note=f"积水传感器：{s.name}沿线（{at_m:.0f} 米处）",
                    value=str(rng.randint(20, 70)),
                )
            )
            continue
        how = rng.choices(("grid", "public", "internet", "110", "notice"), (30, 35, 15, 12, 8))[0]
        landmark = next(
            (b for b in w.lined if b.on_line == s.code and distance_m((b.lon, b.lat), spot) < 120),
            None,
        )
        out.append(
            w.report(
                how,
                key="waterlog",
                t=tk,
                at=spot,
                place=w.street_phrase(s, landmark),
                note=f"{how}：{s.name}沿线积水（{at_m:.0f} 米处）",
            )
        )
    return out


def chemical(w: Writer, t: datetime) -> list[Draft]:
    """A leak at a works: the site calls it in, people downwind smell it up to ~900 m off."""
    rng = w.rng
    b = w.spaced(lambda: rng.choice(w.works), _at, "chemical", t, 2000, 6)
    spot = (b.lon, b.lat)
    out = [
        w.report(
            rng.choice(("110", "119", "grid", "public")),
            key="chemical",
            t=t,
            at=spot,
            place=w.building_phrase(b),
            note=f"泄漏源：{b.name}",
        )
    ]
    for _ in range(rng.randint(1, 5)):
        far = near(w.places, rng, *spot, 300, 900)
        out.append(
            w.report(
                rng.choice(("public", "public", "internet", "110", "grid")),
                key="chemical.odour",
                t=w.minutes(t, 5, 80),
                at=far,
                place=w.form("near_far", name=b.name, street=b.street, community=b.community),
                note=f"下风向闻到气味，距{b.name} {distance_m(far, spot):.0f} 米",
            )
        )
    if rng.random() < 0.4:
        out.append(
            w.sensor(
                "chemical",
                t=w.minutes(t, 0, 5),
                at=spot,
                place=b.name,
                note=f"有毒气体探测器：{b.name}",
                value=str(rng.randint(30, 300)),
            )
        )
    return out


def forest_fire(w: Writer, t: datetime) -> list[Draft]:
    """Smoke on the southern hills, seen from up to ~2 km away."""
    rng = w.rng
    spot: tuple[float, float] = w.spaced(w.hill_spot, lambda p: p, "forest", t, 3500, 24)
    out = []
    for k in range(rng.randint(2, 6)):
        if k == 0:
            out.append(
                w.report(
                    rng.choice(("grid", "public", "119")),
                    key="forest_fire",
                    t=t,
                    at=spot,
                    place=w.form("hill", where=_hill_name(w, spot)),
                    note="山火火点附近",
                )
            )
            continue
        far = near(w.places, rng, *spot, 500, 2200)
        out.append(
            w.report(
                rng.choice(("public", "119", "internet", "public", "notice")),
                key="forest_fire.far",
                t=w.minutes(t, 5, 100),
                at=far,
                place=w.form("hill", where=_hill_name(w, spot)),
                note=f"远处看到山火烟，距火点 {distance_m(far, spot):.0f} 米",
            )
        )
    return out


def _hill_name(w: Writer, spot: tuple[float, float]) -> str:
    b = min(
        w.hill_buildings or list(w.places.buildings), key=lambda x: distance_m((x.lon, x.lat), spot)
    )
    return b.community.removesuffix("社区")


def landslide(w: Writer, t: datetime) -> list[Draft]:
    rng = w.rng
    spot = w.spaced(w.hill_spot, lambda p: p, "landslide", t, 1000, 24)
    where = _hill_name(w, spot)
    return [
        w.report(
            rng.choice(("grid", "public", "110", "notice")),
            key="landslide",
            t=w.minutes(t, 0, 30),
            at=spot,
            place=w.form("hill", where=where),
            note=f"{where}一带山体滑坡",
        )
        for _ in range(w.sizes({1: 55, 2: 30, 3: 15}))
    ]


def power_cut(w: Writer, t: datetime) -> list[Draft]:
    rng = w.rng
    b = w.spaced(lambda: rng.choice(w.residential), _at, "power", t, 400, 6)
    out = []
    for _ in range(w.sizes({1: 50, 2: 25, 3: 15, 4: 10})):
        nb = rng.choice([x for x in w.residential if x.estate == b.estate] or [b])
        out.append(
            w.report(
                rng.choice(("public", "public", "grid")),
                key="power_cut",
                t=w.minutes(t, 0, 45),
                at=(nb.lon, nb.lat),
                place=w.building_phrase(nb),
                note=f"{b.estate}停电",
            )
        )
    if rng.random() < 0.2:
        out.append(
            w.sensor(
                "power_cut",
                t=t,
                at=(b.lon, b.lat),
                place=b.estate,
                note=f"配电监测：{b.estate}",
                value="",
            )
        )
    return out


def burst_main(w: Writer, t: datetime) -> list[Draft]:
    rng = w.rng
    b = w.spaced(lambda: rng.choice(w.lined), _at, "burst_main", t, 400, 6)
    street = next(s for s in w.places.streets if s.code == b.on_line)
    out = []
    for _ in range(w.sizes({1: 55, 2: 30, 3: 15})):
        out.append(
            w.report(
                rng.choice(("public", "grid", "internet")),
                key="burst_main",
                t=w.minutes(t, 0, 30),
                at=(b.lon, b.lat),
                place=w.street_phrase(street, b),
                note=f"{street.name}水管爆裂",
            )
        )
    if rng.random() < 0.2:
        out.append(
            w.sensor(
                "burst_main",
                t=t,
                at=(b.lon, b.lat),
                place=street.name,
                note=f"管网压力监测：{street.name}",
                value=str(rng.randint(5, 15)),
            )
        )
    return out


def alarm_check(w: Writer, t: datetime) -> list[Draft]:
    rng = w.rng
    b = w.spaced(lambda: rng.choice(w.homes + w.public_places), _at, "alarm", t, 80, 3)
    if rng.random() < 0.35:
        return [
            w.sensor(
                "alarm",
                t=t,
                at=(b.lon, b.lat),
                place=b.name,
                note=f"烟感报警，未见火情：{b.name}",
                value="",
            )
        ]
    return _single(
        w,
        "alarm",
        [b],
        t,
        {"public": 70, "119": 20, "grid": 10},
        0.12,
        "报警器响，未见火情",
        spaced=False,
    )


def gas_odour(w: Writer, t: datetime) -> list[Draft]:
    rng = w.rng
    b = w.spaced(lambda: rng.choice(w.homes + w.public_places), _at, "gas_odour", t, 150, 3)
    if rng.random() < 0.25:
        return [
            w.sensor(
                "gas_odour",
                t=t,
                at=(b.lon, b.lat),
                place=b.name,
                note=f"可燃气体探测器：{b.name}",
                value=str(rng.randint(10, 60)),
            )
        ]
    return _single(
        w,
        "gas_odour",
        [b],
        t,
        {"public": 65, "110": 15, "119": 10, "grid": 10},
        0.1,
        "闻到燃气味",
        spaced=False,
    )


def noise(w: Writer, t: datetime) -> list[Draft]:
    """Noise at night: the same neighbour calls again and again."""
    b = w.spaced(lambda: w.rng.choice(w.homes), _at, "noise", t, 250, 4)
    first = w.report(
        "public",
        key="noise",
        t=t,
        at=(b.lon, b.lat),
        place=w.building_phrase(b),
        note=f"噪声扰民：{b.name}",
    )
    out = [first]
    for _ in range(w.sizes({0: 60, 1: 28, 2: 12})):
        out.append(
            w.repeat_of(
                first,
                "noise",
                place=w.building_phrase(b),
                minutes=(20, 110),
                note=f"同一人再次投诉噪声：{b.name}",
            )
        )
    return out


def null_text(w: Writer, t: datetime) -> list[Draft]:
    b = w.rng.choice(list(w.places.buildings))
    how = w.rng.choice(("public", "public", "alarm", "110"))
    text = w.pick(w.book.texts["null"])
    return [
        w.report(
            how,
            key="null",
            t=t,
            at=(b.lon, b.lat),
            place=b.name,
            text=text,
            note="内容不含任何事件信息",
        )
    ]


def two_falls(w: Writer, t: datetime) -> list[list[Draft]]:
    """Two falls in two streets, 150–500 m apart, about an hour apart: two scenes."""
    rng = w.rng
    a = w.spaced(lambda: rng.choice(w.lined), _at, "fall", t, 80, 3)
    others = [
        b
        for b in w.lined
        if b.on_line != a.on_line
        and b.street != a.street
        and 150 <= distance_m((a.lon, a.lat), (b.lon, b.lat)) <= 500
    ]
    b = rng.choice(others) if others else rng.choice(w.lined)
    t2 = w.minutes(t, 45, 80)
    return [
        [
            w.report(
                rng.choice(("public", "120")),
                key="fall",
                t=t,
                at=(a.lon, a.lat),
                place=w.building_phrase(a),
                note=f"摔倒（一）：{a.name}，{a.street}",
            )
        ],
        [
            w.report(
                rng.choice(("public", "120")),
                key="fall",
                t=t2,
                at=(b.lon, b.lat),
                place=w.building_phrase(b),
                note=f"摔倒（二）：{b.name}，{b.street}，距前一起 "
                f"{distance_m((a.lon, a.lat), (b.lon, b.lat)):.0f} 米、约一小时后",
            )
        ],
    ]


def two_crashes(w: Writer, t: datetime) -> list[list[Draft]]:
    """Two crashes at two crossroads 200–450 m apart within 20 minutes: two scenes."""
    rng = w.rng
    cs = w.places.crossroads
    pairs = [
        (a, b)
        for i, a in enumerate(cs)
        for b in cs[i + 1 :]
        if 200 <= distance_m((a.lon, a.lat), (b.lon, b.lat)) <= 450
    ]
    free = [(a, b) for a, b in pairs if w.rest(a, t) and w.rest(b, t)]
    a, b = rng.choice(free or pairs)
    for c in (a, b):
        w.crossroads_busy.setdefault(c.name, []).append(t)
    small: dict[int, float] = {1: 45, 2: 35, 3: 20}
    return [crash(w, t, a, small), crash(w, w.minutes(t, 4, 20), b, small)]


SCENE_KINDS: dict[str, Callable[[Writer, datetime], Any]] = {
    "crash": crash,
    "car_fire": car_fire,
    "building_fire": building_fire,
    "gas_explosion": gas_explosion,
    "storm_underpass": storm_underpass,
    "flood_line": flood_line,
    "chemical": chemical,
    "forest_fire": forest_fire,
    "landslide": landslide,
    "power_cut": power_cut,
    "burst_main": burst_main,
    "alarm_check": alarm_check,
    "gas_odour": gas_odour,
    "noise": noise,
    "null": null_text,
    "two_falls": two_falls,
    "two_crashes": two_crashes,
    "illness": everyday(
        "illness", "homes", {"public": 45, "120": 40, "alarm": 15}, 0.15, "突发疾病"
    ),
    "fall": everyday("fall", "any", {"public": 50, "120": 40, "alarm": 10}, 0.1, "摔伤"),
    "elevator": everyday(
        "elevator", "homes", {"public": 60, "119": 20, "alarm": 20}, 0.2, "电梯困人"
    ),
    "tree": everyday("tree", "lined", {"public": 60, "grid": 30, "110": 10}, 0.05, "树木倒伏"),
    "animal": everyday("animal", "homes", {"public": 60, "110": 25, "119": 15}, 0.05, "动物求助"),
    "other": everyday("other", "homes", {"public": 60, "110": 40}, 0.08, "其他求助"),
}
STORM_KINDS = frozenset({"storm_underpass", "flood_line"})
STORM_LEANING = {"tree": 0.7, "power_cut": 0.4, "landslide": 0.5}
HILL_KINDS = frozenset({"forest_fire"})


def draw_scenes(book: Phrasebook, places: Places) -> list[Scene]:
    """Scenes until the book's target count of reports is reached, ids in order of time."""
    w = Writer(book, places)
    kinds = list(book.scene_weights)
    weights = [book.scene_weights[k] for k in kinds]
    scenes: list[Scene] = []
    total = 0
    # every kind at least once (a small part must still hold the rare scenes), then by weight
    queue = list(kinds)
    while total < book.target_reports:
        kind = queue.pop(0) if queue else w.rng.choices(kinds, weights=weights)[0]
        t0 = _when(w, book, kind)
        try:
            made = SCENE_KINDS[kind](w, t0)
        except Crowded:
            continue
        groups = made if made and isinstance(made[0], list) else [made]
        for drafts in groups:
            if drafts:
                scenes.append(Scene(kind, min(d.occurred for d in drafts), drafts))
                total += len(drafts)
    scenes.sort(key=lambda s: s.t0)
    for k, s in enumerate(scenes, 1):
        s.sid = f"{book.prefix}{k:04d}"
    return scenes


def _when(w: Writer, book: Phrasebook, kind: str) -> datetime:
    rng = w.rng
    storm = kind in STORM_KINDS or rng.random() < STORM_LEANING.get(kind, 0.0)
    if storm and book.storm:
        day, h0, h1 = rng.choice(book.storm)
        return book.start + timedelta(days=day, minutes=rng.uniform(h0 * 60, h1 * 60))
    day = rng.randrange(book.days)
    hour = rng.choices(range(24), weights=book.hour_weights)[0]
    if kind == "noise":
        hour = rng.choice((21, 22, 22, 23, 23, 0, 1))
    return book.start + timedelta(days=day, hours=hour, minutes=rng.uniform(0, 60))
