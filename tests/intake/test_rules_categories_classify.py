"""GB/T 35561 table and the keyword classifier (pure, no database)."""

from __future__ import annotations

import csv
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SHARED
from yingji.intake import categories, classify


def test_four_major_categories():
    names = {
        c.code: c.name
        for c in categories.table().values()
        if c.code.endswith("0000") and not c.platform
    }
    assert names == {
        "10000": "自然灾害",
        "20000": "事故灾难",
        "30000": "公共卫生事件",
        "40000": "社会安全事件",
    }


def test_everyday_help_is_the_platforms_own_major_class_out_of_the_statistics():
    platform = {c.code for c in categories.table().values() if c.platform}
    assert "90000" in platform and all(code.startswith("9") for code in platform)
    assert {"91A01", "91A02", "92A01", "93A01", "94A01", "95A01", "99A99"} <= platform
    assert not categories.is_emergency("91A01") and categories.is_emergency("21B01")
    assert not categories.is_emergency(None)


def test_every_node_has_its_ancestors_and_a_valid_code():
    for code in categories.table():
        assert categories.CODE_RE.match(code)
        assert categories.path(code) is not None, code


def test_path_names_each_level():
    p = categories.path("21a03")
    assert p is not None and p.code == "21A03"
    assert p.names == ["事故灾难", "安全事故", "工矿商贸等企业安全事故", "危险化学品事故"]
    assert p.display.startswith("事故灾难 › 安全事故 › 工矿商贸等企业安全事故")
    assert p.grading_rule == "production_safety"
    assert categories.path("11B03").grading_rule == "general"


def test_weather_codes_agree_with_the_shared_list():
    rows = csv.DictReader(
        (SHARED / "standards" / "warning_types_11B_codes.csv").open(encoding="utf-8")
    )
    for row in rows:
        code = row["type_deprecated"]
        if code.startswith("11B"):
            assert categories.table()[code].name == row["type_name_zh"]


def test_unknown_codes_have_no_path():
    for code in ("99999", "2", "21Z99", "50000", "", "21A0"):
        assert categories.path(code) is None


@given(st.text(max_size=8))
def test_path_never_raises(code: str):
    p = categories.path(code)
    assert p is None or p.code in categories.table()


def test_classifier_examples():
    cases = {
        "殷家林立交一辆氨水储罐车泄漏，现场有刺鼻气味": "21A03",
        "幸福小区3号楼着火了，浓烟很大": "21C01",
        "下穿涵洞积水很深，有车被淹": "11A02",
        "工地脚手架坍塌，有工人被埋": "21A05",
        "后山发生山体滑坡，道路被堵": "12B02",
        "学校食堂多名学生呕吐腹泻，疑似食物中毒": "33A00",
        "路口两车相撞，一人受伤": "21B01",
    }
    for text, code in cases.items():
        result = classify.classify("", text)
        assert result.code == code, (text, result)
        assert not result.low_confidence, (text, result)


def test_nothing_recognised_is_flagged():
    result = classify.classify("求助", "今天天气不错")
    assert result.code is None and result.low_confidence and result.confidence == 0.0


def test_rival_evidence_lowers_confidence():
    alone = classify.classify("", "着火了")
    mixed = classify.classify("", "着火了，车祸，有人聚集")
    assert mixed.confidence < alone.confidence
    assert mixed.low_confidence


def test_keyword_table_is_editable_data():
    raw = json.loads(
        (categories.resources.files("yingji.intake") / "data/keywords.json").read_text("utf-8")
    )
    raw["entries"] = [{"code": "21D04", "words": {"扶梯吃人": 2}}]
    table = classify.load_table(raw)
    assert classify.classify("", "商场扶梯吃人", table).code == "21D04"


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_classifier_total_on_any_text(text: str):
    result = classify.classify("", text)
    assert 0.0 <= result.confidence < 1.0
    assert (result.code is None) == (result.source == "none")
    if result.code is not None:
        assert categories.path(result.code) is not None
    assert result.low_confidence == (
        result.confidence < classify.default_table().low_confidence_below
    )


_KEYWORDS = sorted(classify.default_table().by_word())
_FILLER = [*"的了在有人路口号楼附近，。！ 3A-_小区街道xZ9", "经十路", "着火车", "泄漏气", "水上涨"]
_FILLER += ["fi", "re", "Flo", "od", "wild", "ire", "2.5", "heatwave"]  # Latin runs


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_KEYWORDS + _FILLER) | st.text(max_size=3), max_size=30))
def test_keyword_tokens_match_a_full_segmentation(parts: list[str]):
    """Cutting only the blocks that hold a keyword finds exactly the keywords a segmentation
    of the whole text finds, in order: keywords and their neighbours run together here."""
    text = "".join(parts)
    words = classify.default_table().by_word()
    full = [t for t in classify.tokens(text) if t in words]
    assert classify.keyword_tokens(text) == full


def test_runs_of_single_latin_characters_are_one_word_as_in_jieba():
    """jieba joins single Latin letters and digits into one word ("VVV"), so a one-letter
    keyword is found alone ("V 着火") but not inside such a run."""
    table = classify.load_table(
        {"low_confidence_below": 0.6, "entries": [{"code": "21C01", "words": {"V": 2}}]}
    )
    for text in ("VVV着火", "V着火", "着火V", "aVb", "V9", "V V", "V.V"):
        full = [t for t in classify.tokens(text, table) if t in table.by_word()]
        assert classify.keyword_tokens(text, table) == full, text
    assert classify.keyword_tokens("VVV着火", table) == []
    assert classify.keyword_tokens("V 着火", table) == ["V"]


def _jiebas_route(block: str) -> list[int]:
    tokenizer = classify._cutter(classify.default_table())
    route: dict[int, tuple[float, int]] = {}
    tokenizer.calc(block, tokenizer.get_DAG(block), route)
    return [route[k][1] for k in range(len(block))]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(_KEYWORDS + _FILLER) | st.text(min_size=1, max_size=3),
        min_size=1,
        max_size=30,
    )
)
def test_the_route_is_jiebas_own(parts: list[str]):
    """The fused graph-and-route pass ends every word where jieba's ``get_DAG`` + ``calc``
    end it, for keywords, fillers, rare and unknown characters alike."""
    block = "".join(parts)
    assert classify._route(classify._cutter(classify.default_table()), block) == _jiebas_route(
        block
    )


def test_the_route_follows_words_added_to_the_dictionary():
    """Adding a table's words changes jieba's total and every probability: the cached
    logarithms are dropped and the route is jieba's again."""
    word, text = "桥洞漫溢险", "商场桥洞漫溢险了"  # a word no other test adds
    tokenizer = classify._cutter(classify.default_table())
    before = classify._route(tokenizer, text)
    if word not in tokenizer.FREQ:  # (not yet added by an earlier run in this process)
        assert before[2] != 6
    table = classify.load_table(
        {"low_confidence_below": 0.6, "entries": [{"code": "21D04", "words": {word: 2}}]}
    )
    after = classify._route(classify._cutter(table), text)
    assert getattr(tokenizer, classify._LOG_P)[0] == tokenizer.total  # the cache moved on
    assert after == _jiebas_route(text)
    assert after[2] == 6  # 桥洞漫溢险 is one word now
