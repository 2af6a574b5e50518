"""The risk domain's rule tables, registered with their defaults and sources."""

from __future__ import annotations

from yingji.prevention.risk import rules
from yingji.prevention.ruleset.service import TableSpec, register

LEC_BANDS = register(
    TableSpec(
        kind="lec_bands", title_zh="LEC 风险分级", title_en="LEC bands",
        default=rules.DEFAULT_LEC_BANDS,
        source="作业条件危险性评价法 D 值分级（D>320 / 160–320 / 70–160 / <70）",
        confirmed=True, validate=rules.parse_bands,
    )
)  # fmt: skip
LS_BANDS = register(
    TableSpec(
        kind="ls_bands", title_zh="LS 风险矩阵分级", title_en="LS bands",
        default=rules.DEFAULT_LS_BANDS,
        source="风险矩阵 R=L×S 常用分级；未对照 DB37/T 2882 核实",
        confirmed=False, validate=rules.parse_bands,
    )
)  # fmt: skip
DIRECT_ITEMS = register(
    TableSpec(
        kind="direct_items", title_zh="直接判定重大风险清单", title_en="Direct judgement list",
        default=rules.DEFAULT_DIRECT_ITEMS,
        source="山东省双重预防体系建设通则常见直接判定情形（待核实）",
        confirmed=False, validate=rules.parse_direct_items,
    )
)  # fmt: skip
