"""Classification (分类): a rule model over Chinese text that infers a GB/T 35561 code.

jieba cuts the title and text into words; every keyword of the editable table
(``data/keywords.json``) found among them scores its code with its weight. The best code
wins; its confidence is its share of all the evidence, damped while evidence is thin::

    confidence = evidence for the best code's 小类 / (all evidence + 1)

so one decisive keyword (weight 2) alone gives 0.67, two give 0.8, and a rival category's
words pull it down. Evidence for sibling 细类 of the winner's 小类 counts for it (a 小类 is
the level merging compares). Below ``low_confidence_below`` (0.6) the result is flagged for the duty
officer. Keywords are added to jieba's dictionary so compounds (``危险化学品``) stay whole.
Only the stretches of text jieba would cut on their own (its blocks of Chinese and
alphanumerics) that hold a keyword at all are cut: a token is a substring of its block, so
the keywords found are the same, at a fraction of the segmentation's cost.
Negation ("没有着火") is not understood: screening by a duty officer is the safeguard.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from math import log
from typing import Any

from yingji.intake.categories import path

_jieba_lock = threading.Lock()
_tokenizer: Any = None
_known_words: set[str] = set()
# jieba's own block pattern (``jieba.re_han_default``): it cuts each such block on its own
# and yields everything between blocks one character at a time.
_BLOCK = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)", re.U)


@dataclass(frozen=True)
class KeywordTable:
    entries: dict[str, dict[str, float]]  # code -> word -> weight
    low_confidence_below: float

    def __post_init__(self) -> None:
        out: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for code, words in self.entries.items():
            for word, weight in words.items():
                out[word].append((code, weight))
        object.__setattr__(self, "_by_word", dict(out))
        # one alternation of every keyword: the regular expression engine scans a block in
        # C, a loop over its characters in Python took 2.5 times as long
        any_word = re.compile("|".join(map(re.escape, out))) if out else re.compile("(?!)")
        object.__setattr__(self, "_any_word", any_word)

    def by_word(self) -> dict[str, list[tuple[str, float]]]:
        return self._by_word  # type: ignore[attr-defined]  # set with object.__setattr__ in __post_init__ (a frozen dataclass)

    def holds_keyword(self, text: str) -> bool:
        """Whether any keyword occurs in ``text`` as a substring."""
        return self._any_word.search(text) is not None  # type: ignore[attr-defined]  # set with object.__setattr__ in __post_init__ (a frozen dataclass)


@dataclass(frozen=True)
class Classification:
    code: str | None
    confidence: float
    low_confidence: bool
    source: str  # "given", "rules" or "none"
    matched: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)


def load_table(raw: dict[str, Any]) -> KeywordTable:
    entries: dict[str, dict[str, float]] = {}
    for entry in raw["entries"]:
        code = entry["code"]
        if path(code) is None:
            raise ValueError(f"keyword table names an unknown category code: {code}")
        entries.setdefault(code, {}).update({w: float(x) for w, x in entry["words"].items()})
    return KeywordTable(entries=entries, low_confidence_below=float(raw["low_confidence_below"]))


@cache
def default_table() -> KeywordTable:
    raw = json.loads(
        resources.files("yingji.intake").joinpath("data/keywords.json").read_text("utf-8")
    )
    return load_table(raw)


def _cutter(table: KeywordTable) -> Any:
    """A jieba tokenizer of its own (not the global one) that knows the table's keywords."""
    global _tokenizer
    if _tokenizer is not None and getattr(table, "_in_tokenizer", False):
        return _tokenizer
    words = table.by_word()
    with _jieba_lock:
        if _tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            tok = jieba.Tokenizer()
            tok.initialize()
            _tokenizer = tok
        for word in words.keys() - _known_words:
            _tokenizer.add_word(word, freq=100000)
            _known_words.add(word)
        object.__setattr__(table, "_in_tokenizer", True)
    return _tokenizer


def tokens(text: str, table: KeywordTable | None = None) -> list[str]:
    """jieba's segmentation of the whole text (with the table's keywords as words)."""
    return list(_cutter(table or default_table()).lcut(text, HMM=False))


def keyword_tokens(text: str, table: KeywordTable | None = None) -> list[str]:
    """The tokens of jieba's segmentation that are keywords, in order: the same as filtering
    :func:`tokens`, cutting only the blocks that hold a keyword."""
    table = table or default_table()
    words = table.by_word()
    cutter = _cutter(table)
    out: list[str] = []
    for block in _BLOCK.split(text):
        if not block:
            continue
        if _BLOCK.match(block):
            if table.holds_keyword(block):
                out += _keywords_of_block(cutter, block, words)
        else:
            out += [ch for ch in block if ch in words]
    return out


_ENG_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _keywords_of_block(cutter: Any, block: str, words: dict[str, Any]) -> list[str]:
    """The keywords among jieba's words for one block: the most probable route through
    jieba's dictionary graph, walked as ``cut(HMM=False)`` walks it (runs of single Latin
    letters or digits join into one word), keeping only keywords."""
    end = _route(cutter, block)
    out: list[str] = []
    buf = ""
    x, n = 0, len(block)
    while x < n:
        y = end[x] + 1
        word = block[x:y]
        if y - x == 1 and word in _ENG_CHARS:
            buf += word
        else:
            if buf:
                if buf in words:
                    out.append(buf)
                buf = ""
            if word in words:
                out.append(word)
        x = y
    if buf and buf in words:
        out.append(buf)
    return out


_LOG_P = "_yingji_log_probabilities"  # on the tokenizer: (its total, log(freq) - log(total))


def _route(cutter: Any, block: str) -> list[int]:
    """Where each word of jieba's most probable route starting at each position ends.

    jieba's ``get_DAG`` (every dictionary word starting at each position) and ``calc`` (the
    best route, from the end backwards) in one pass: the same dictionary, the same floats
    (``log(freq) - log(total)``, then the rest of the route added) and the same tie-break
    (the later end), so the route is jieba's, bit for bit (a property test compares them).
    Building the graph's lists and a tuple per candidate was two thirds of the
    classifier's time; the logarithms are kept on the tokenizer per word, until a word is
    added to it."""
    freq: dict[str, int] = cutter.FREQ
    total = cutter.total
    kept = getattr(cutter, _LOG_P, None)
    if kept is None or kept[0] != total:  # words were added: every probability moved
        kept = (total, {})
        setattr(cutter, _LOG_P, kept)
    cached: dict[str, float] = kept[1]  # at most one entry per dictionary word
    log_total = log(total)
    n = len(block)
    best = [0.0] * (n + 1)
    end = list(range(n))
    for k in range(n - 1, -1, -1):
        top: float | None = None
        i, frag = k, block[k]
        while i < n and (f := freq.get(frag)) is not None:
            if f:
                p = cached.get(frag)
                if p is None:
                    p = cached[frag] = log(f) - log_total
                value = p + best[i + 1]
                if top is None or value >= top:  # ties: the later end, as jieba's max
                    top, end[k] = value, i
            i += 1
            frag = block[k : i + 1]
        if top is None:  # no word starts here: the character alone (log 1 when unknown)
            top = (log(freq.get(block[k]) or 1) - log_total) + best[k + 1]
        best[k] = top
    return end


def classify(title: str, text: str, table: KeywordTable | None = None) -> Classification:
    """The most likely code for a report's title and text, with a confidence in [0, 1)."""
    table = table or default_table()
    words = table.by_word()
    scores: dict[str, float] = defaultdict(float)
    matched: list[str] = []
    seen: set[str] = set()
    for tok in keyword_tokens(f"{title}\n{text}", table):
        if tok in seen:
            continue
        seen.add(tok)
        matched.append(tok)
        for code, weight in words[tok]:
            scores[code] += weight
    if not scores:
        return Classification(None, 0.0, True, "none")
    # Evidence for different 细类 of one 小类 supports the 小类 as well: ties go to the code
    # with more evidence in its group, then to the lower code, so the answer is stable.
    group: dict[str, float] = defaultdict(float)
    for code, s in scores.items():
        group[code[:3]] += s
    best = max(scores, key=lambda c: (scores[c], group[c[:3]], -_order(c)))
    total = sum(scores.values())
    best_group = group[best[:3]]
    confidence = round(best_group / (total + 1.0), 4)
    return Classification(
        code=best,
        confidence=confidence,
        low_confidence=confidence < table.low_confidence_below,
        source="rules",
        matched=matched,
        scores=dict(scores),
    )


def _order(code: str) -> int:
    return int.from_bytes(code.encode(), "big")


def warm_up() -> None:
    """Load jieba's dictionary now (about a second) rather than on the first report."""
    tokens("预热")
