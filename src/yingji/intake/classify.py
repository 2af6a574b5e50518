"""Classification (分类): a rule model over Chinese text that infers a GB/T 35561 code.

jieba cuts the title and text into words; every keyword of the editable table
(``data/keywords.json``) found among them scores its code with its weight. The best code
wins; its confidence is its share of all the evidence, damped while evidence is thin::

    confidence = evidence for the best code's 小类 / (all evidence + 1)

so one decisive keyword (weight 2) alone gives 0.67, two give 0.8, and a rival category's
words pull it down. Evidence for sibling 细类 of the winner's 小类 counts for it (a 小类 is
the level merging compares). Below ``low_confidence_below`` (0.6) the result is flagged for the duty
officer. Keywords are added to jieba's dictionary so compounds (``危险化学品``) stay whole.
Negation ("没有着火") is not understood: screening by a duty officer is the safeguard.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from yingji.intake.categories import path

_jieba_lock = threading.Lock()
_tokenizer: Any = None
_known_words: set[str] = set()


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

    def by_word(self) -> dict[str, list[tuple[str, float]]]:
        return self._by_word  # type: ignore[attr-defined,no-any-return]


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
    words = table.by_word()
    if _tokenizer is not None and words.keys() <= _known_words:
        return _tokenizer
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
    return _tokenizer


def tokens(text: str, table: KeywordTable | None = None) -> list[str]:
    return list(_cutter(table or default_table()).lcut(text, HMM=False))


def classify(title: str, text: str, table: KeywordTable | None = None) -> Classification:
    """The most likely code for a report's title and text, with a confidence in [0, 1)."""
    table = table or default_table()
    words = table.by_word()
    scores: dict[str, float] = defaultdict(float)
    matched: list[str] = []
    seen: set[str] = set()
    for tok in tokens(f"{title}\n{text}", table):
        if tok in seen or tok not in words:
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
