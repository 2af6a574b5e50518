"""Name pools for the demo district: people, streets, estates, shops, schools, phones.

Everything here is a pure function of a ``random.Random`` so the demo stays deterministic.
Street names follow Jinan's 市中区 (经/纬 roads of the old commercial port, the ring roads,
the hill roads of the south); estates, shops and people are invented but plausible.
"""

from __future__ import annotations

import random

# Common surnames with rough weights (Shandong has many 王/张/李/刘).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 90),
    ("张", 85),
    ("李", 80),
    ("刘", 70),
    ("陈", 35),
    ("杨", 35),
    ("赵", 30),
    ("孙", 30),
    ("徐", 25),
    ("高", 22),
    ("马", 22),
    ("于", 20),
    ("周", 18),
    ("吴", 15),
    ("郭", 18),
    ("曹", 14),
    ("宋", 14),
    ("董", 12),
    ("朱", 12),
    ("韩", 12),
    ("魏", 10),
    ("崔", 10),
    ("孟", 9),
    ("丁", 8),
    ("田", 8),
    ("任", 8),
    ("姜", 9),
    ("邢", 6),
    ("范", 6),
    ("尹", 5),
    ("胡", 8),
    ("林", 6),
    ("何", 6),
    ("罗", 5),
    ("梁", 6),
    ("郑", 6),
    ("谢", 5),
    ("唐", 5),
    ("冯", 6),
    ("程", 6),
    ("袁", 5),
    ("许", 6),
    ("沈", 4),
    ("吕", 6),
    ("苏", 5),
    ("蒋", 4),
    ("蔡", 4),
    ("贾", 6),
    ("薛", 5),
    ("路", 4),
    ("孔", 5),
    ("毕", 4),
    ("房", 4),
)
_SURNAME_CHOICES = tuple(s for s, _ in SURNAMES)
_SURNAME_WEIGHTS = tuple(w for _, w in SURNAMES)

GIVEN_CHARS_A = "建国志伟明海军涛磊强勇杰斌超鹏辉宁静丽芳娜敏霞燕玲红梅雪晓春秋文华新立永庆"
GIVEN_CHARS_B = "平刚峰波东林亮成欣慧颖婷洁琳萍倩艳英兰杰浩然宇航鑫凯瑞琪宏远博翔"
SINGLE_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉鹏华飞红"


def person_name(rng: random.Random) -> str:
    """A full name: surname and one or two given characters (two in about 70% of names)."""
    surname = rng.choices(_SURNAME_CHOICES, weights=_SURNAME_WEIGHTS)[0]
    if rng.random() < 0.3:
        return surname + rng.choice(SINGLE_GIVEN)
    return surname + rng.choice(GIVEN_CHARS_A) + rng.choice(GIVEN_CHARS_B)


# Mainland mobile prefixes actually in use (3-digit network codes).
MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "198", "199",
)  # fmt: skip


def mobile_phone(rng: random.Random) -> str:
    """An 11-digit mainland mobile number matching ``1[3-9]\\d{9}``."""
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def landline(rng: random.Random) -> str:
    """A Jinan fixed-line number (area code 0531, 8 digits starting 8 or 6)."""
    return f"0531-{rng.choice('86')}{rng.randrange(10_000_000):07d}"


# Main roads of 市中区 and around (real names, used for segments with 段 suffixes).
MAIN_ROADS: tuple[str, ...] = (
    "经十路", "英雄山路", "纬二路", "经四路", "顺河街", "舜耕路", "舜玉路", "二环南路",
    "七里山路", "郎茂山路", "党杨路", "104国道", "经一路", "经二路", "经三路", "经七路",
    "纬一路", "纬三路", "纬四路", "纬六路", "纬十二路", "玉函路", "建设路", "民生大街",
    "泺源大街", "共青团路", "阳光新路", "六里山路", "八里洼路", "刘长山路", "旅游路",
    "南辛庄街", "兴隆山路", "十六里河路", "梁庄路", "机场路", "大观园路", "魏家庄路",
    "杆石桥路", "四里村路",
)  # fmt: skip

SEGMENTS = ("东", "西", "南", "北", "中", "一", "二", "三", "四", "五")

# Stems for lanes, alleys and small streets (街、巷、胡同、里).
LANE_STEMS = (
    "万紫", "岔路", "馆驿", "饮虎池", "望平", "朝山", "南门", "南圩子", "青年", "太平",
    "丰盛", "永长", "正觉寺", "麟趾", "泉祥", "双忠祠", "按察司", "卫巷", "剪子", "后坡",
    "上新", "下新", "民康", "福康", "顺德", "兴隆", "仁义", "广智院", "南新", "北新",
    "山水沟", "估衣市", "纬六", "槐荫", "石棚", "魏华", "杨家", "王家", "刘家", "李家",
    "张家", "赵家", "柳埠", "杏林", "桃园", "梨园", "竹园", "松园", "榆林", "枣园",
)  # fmt: skip
LANE_SUFFIXES = ("街", "巷", "胡同", "里", "路")


def street_name(rng: random.Random) -> tuple[str, str]:
    """A line's name and the street it belongs to: a main-road segment or a lane.

    Main roads are cut into segments that carry a 段 suffix (``经十路东段``); lanes keep their
    own name (``万紫巷``).
    """
    if rng.random() < 0.55:
        road = rng.choice(MAIN_ROADS)
        return f"{road}{rng.choice(SEGMENTS)}段", road
    lane = rng.choice(LANE_STEMS) + rng.choice(LANE_SUFFIXES)
    return lane, lane


# Stems for communities (社区), estates (小区) and shop brands.
PLACE_STEMS = (
    "英雄山", "舜玉", "舜耕", "七里山", "六里山", "郎茂山", "白马山", "王官庄", "七贤",
    "杆石桥", "四里村", "魏家庄", "大观园", "泺源", "二七", "兴隆", "党家", "陡沟",
    "十六里河", "玉函", "建设", "民生", "经纬", "南郊", "阳光", "万达", "鲁能", "中海",
    "绿地", "领秀城", "腊山", "刘长山", "八里洼", "马鞍山", "千佛山", "南辛庄", "梁庄",
    "殷家林", "井家沟", "土屋", "矿村", "纬北", "望岳", "青龙", "金鸡岭", "卧虎山",
    "太平", "和平", "康乐", "幸福", "团结", "红旗", "光明", "新华", "永安", "长青",
    "秀水", "文化", "锦绣", "华润", "鲁商", "泉城", "百花", "翡翠", "金桥", "银座",
)  # fmt: skip
ESTATE_SUFFIXES = ("小区", "花园", "家园", "新村", "苑", "公寓", "嘉园", "宿舍")
AUSPICIOUS = "鑫源福瑞祥和兴隆泰康盛华丰顺达吉宏昌金旺佳美"


def community_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct community (社区) names for grid areas."""
    seen: set[str] = set()
    names: list[str] = []
    stems = list(PLACE_STEMS)
    rng.shuffle(stems)
    directions = ("", "东", "西", "南", "北", "中")
    i = 0
    while len(names) < count:
        stem = stems[i % len(stems)]
        suffix = directions[(i // len(stems)) % len(directions)]
        extra = "" if i < len(stems) * len(directions) else rng.choice(AUSPICIOUS)
        name = f"{stem}{suffix}{extra}社区"
        if name not in seen:
            seen.add(name)
            names.append(name)
        i += 1
    return names


def estate_name(rng: random.Random) -> str:
    """A residential estate: ``英雄山小区``, ``舜玉花园``..."""
    return rng.choice(PLACE_STEMS) + rng.choice(ESTATE_SUFFIXES)


def brand(rng: random.Random) -> str:
    """A two-character shop brand like ``鑫源`` or ``福瑞``."""
    a, b = rng.sample(AUSPICIOUS, 2)
    return a + b


SHOP_TYPES = (
    "便利店", "超市", "药店", "理发店", "五金店", "水果店", "烟酒店", "服装店", "文具店",
    "手机店", "眼镜店", "花店", "面包房", "洗衣店", "电动车行", "茶叶店", "母婴店", "建材店",
)  # fmt: skip
RESTAURANT_TYPES = (
    "饭店",
    "把子肉",
    "面馆",
    "饺子馆",
    "烧烤",
    "快餐",
    "餐馆",
    "甜沫店",
    "包子铺",
    "火锅店",
)
SCHOOL_TYPES = ("小学", "中学", "实验学校")
HOSPITAL_TYPES = ("社区卫生服务中心", "诊所", "医院", "卫生室")
HOTEL_TYPES = ("宾馆", "酒店", "快捷酒店", "商务宾馆")
FACTORY_TYPES = ("机械厂", "食品厂", "印刷厂", "建材厂", "包装厂", "汽修厂", "服装厂")
WAREHOUSE_TYPES = ("物流仓库", "仓储中心", "冷库", "配送站")
FUEL_BRANDS = ("中国石化", "中国石油", "中化石油")
PROJECTS = ("安置房项目", "棚改项目", "商业综合体项目", "道路改造工程", "学校建设项目")

# Per kind: how a point is named and who answers for it.
RESPONSIBLE_TITLES: dict[str, tuple[str, ...]] = {
    "shop": ("店长", "负责人", "业主"),
    "residential": ("楼长", "单元长"),
    "school": ("校长", "安全副校长"),
    "kindergarten": ("园长", "安全员"),
    "hospital": ("院长", "安全科长"),
    "nursing_home": ("院长", "安全员"),
    "restaurant": ("店长", "负责人"),
    "hotel": ("总经理", "安全经理"),
    "market": ("市场负责人", "安全员"),
    "factory": ("安全负责人", "厂长", "安全员"),
    "warehouse": ("仓库主管", "安全员"),
    "gas_station": ("站长", "安全员"),
    "construction_site": ("项目经理", "安全总监"),
}

PATROL_CYCLES = ("daily", "weekly", "monthly")


def point_name(rng: random.Random, kind: str, *, place: str, estate: str, number: int) -> str:
    """A point's name by kind: ``鑫源便利店``, ``英雄山小区3号楼``, ``舜玉小学``..."""
    if kind == "residential":
        return f"{estate}{number}号楼"
    if kind == "shop":
        return brand(rng) + rng.choice(SHOP_TYPES)
    if kind == "restaurant":
        return rng.choice((brand(rng), person_name(rng)[0] + "记")) + rng.choice(RESTAURANT_TYPES)
    if kind == "school":
        return place + rng.choice(SCHOOL_TYPES)
    if kind == "kindergarten":
        return place + rng.choice(("幼儿园", "实验幼儿园", "双语幼儿园"))
    if kind == "hospital":
        return place + rng.choice(HOSPITAL_TYPES)
    if kind == "nursing_home":
        return place + rng.choice(("养老院", "老年公寓", "日间照料中心"))
    if kind == "hotel":
        return brand(rng) + rng.choice(HOTEL_TYPES)
    if kind == "market":
        return place + rng.choice(("农贸市场", "菜市场", "便民市场"))
    if kind == "factory":
        return "济南" + brand(rng) + rng.choice(FACTORY_TYPES)
    if kind == "warehouse":
        return brand(rng) + rng.choice(WAREHOUSE_TYPES)
    if kind == "gas_station":
        return f"{rng.choice(FUEL_BRANDS)}{place}加油站"
    if kind == "construction_site":
        return place + rng.choice(PROJECTS) + "工地"
    raise ValueError(f"unknown point kind: {kind}")
