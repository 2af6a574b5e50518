"""The structured plan document (应急预案 / 现场处置方案) and its YAML form.

A plan says which incidents it applies to (GB/T 35561 code prefixes and levels I–IV), when
it should be activated (conditions on the incident's facts), and for each response level
(I–IV, I the most severe) who leads and which parties act: headquarters, departments,
sub-districts (``code: incident`` means the incident's own sub-district), teams and experts
(by code or by specialty), each with an ordered list of actions whose deadlines count from
activation, the resources to send and the people to notify.

Response levels are cumulative: responding at level II means every party of the levels
below it (IV, III) acts too, plus those level II adds, under level II's lead.

YAML errors are reported per field, with the YAML line, in Chinese and English.
"""

from __future__ import annotations

from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from yingji.core.errors import ApiError, ZhValueError, validation_items

LEVELS = ("I", "II", "III", "IV")
Level = Literal["I", "II", "III", "IV"]
PartyType = Literal["headquarters", "department", "subdistrict", "team", "expert", "committee"]
INCIDENT_SUBDISTRICT = "incident"  # "the incident's sub-district" as a role

PARTY_NAMES = {
    "headquarters": ("指挥部", "headquarters"),
    "department": ("部门", "department"),
    "subdistrict": ("街道", "sub-district"),
    "team": ("队伍", "team"),
    "expert": ("专家", "expert"),
    "committee": ("应急委", "committee"),
}


def level_rank(level: str) -> int:
    """I → 1 (most severe) … IV → 4."""
    return LEVELS.index(level) + 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Resource(_Strict):
    """A resource to send with an action: a team skill, a supply item, equipment."""

    kind: Literal["team", "supply", "equipment", "expert", "video", "drone"]
    name: str = Field(min_length=1, max_length=100)
    skill: str | None = None
    item_code: str | None = None
    quantity: float | None = Field(default=None, gt=0)
    unit: str | None = None


class Action(_Strict):
    title: str = Field(min_length=1, max_length=300)
    detail: str = ""
    deadline_min: int = Field(ge=0, le=7 * 24 * 60, description="minutes from activation")
    deadline_for: Literal["accepted", "on_scene", "completed"] = "completed"
    resources: list[Resource] = Field(default_factory=list)
    notify: list[str] = Field(default_factory=list)


class Party(_Strict):
    type: PartyType
    code: str | None = Field(default=None, max_length=64)
    specialty: str | None = Field(default=None, max_length=32)
    actions: list[Action] = Field(min_length=1)

    @model_validator(mode="after")
    def _who(self) -> Party:
        if self.type == "expert":
            if not (self.code or self.specialty):
                raise ZhValueError(
                    "专家须给出编码（code）或专业（specialty）",
                    "an expert needs a code or a specialty",
                )
        elif self.type != "committee" and not self.code:
            raise ZhValueError(
                f"{PARTY_NAMES[self.type][0]}须给出编码（code）",
                f"a {PARTY_NAMES[self.type][1]} needs a code",
            )
        return self

    @property
    def key(self) -> str:
        """Stable identity of the party within a plan (``expert:specialty:危化``)."""
        if self.type == "expert" and not self.code:
            return f"expert:specialty:{self.specialty}"
        return f"{self.type}:{self.code or '-'}"


class Lead(_Strict):
    """Who leads a response level (总指挥 / 牵头)."""

    type: Literal["committee", "headquarters", "department", "office"]
    code: str | None = None
    title: str = Field(min_length=1, max_length=200)


class ResponseLevel(_Strict):
    level: Level
    name: str = ""
    lead: Lead
    parties: list[Party] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return v


class Condition(_Strict):
    """A fact about the incident that calls for this plan (any one met is enough)."""

    fact: Literal[
        "deaths",
        "missing",
        "serious_injuries",
        "injuries",
        "trapped",
        "direct_loss_cny",
        "affected_people",
        "keyword",
    ]
    op: Literal[">=", ">", "=="] = ">="
    value: float | str
    label: str = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _typed(self) -> Condition:
        if self.fact == "keyword" and not isinstance(self.value, str):
            raise ZhValueError("关键词条件的值须为文字", "a keyword condition needs a text value")
        if self.fact != "keyword" and isinstance(self.value, str):
            raise ZhValueError("数量条件的值须为数字", "a numeric condition needs a number")
        return self


class AppliesTo(_Strict):
    categories: list[str] = Field(min_length=1)
    levels: list[Level] = Field(default_factory=lambda: list(LEVELS))  # type: ignore[arg-type]  # LEVELS holds exactly the Level literals

    @field_validator("categories")
    @classmethod
    def _prefixes(cls, v: list[str]) -> list[str]:
        for code in v:
            if not code or len(code) > 5 or not code[0].isdigit():
                raise ZhValueError(
                    f"类别“{code}”不是 GB/T 35561 代码或前缀",
                    f"'{code}' is not a GB/T 35561 code or prefix",
                )
        return v


class Activation(_Strict):
    conditions: list[Condition] = Field(default_factory=list)
    note: str = ""


class Escalation(_Strict):
    """Overdue task: the headquarters office is told at once, the committee after a while."""

    office_after_min: int = Field(default=0, ge=0, le=24 * 60)
    committee_after_min: int = Field(default=30, ge=1, le=24 * 60)


class PlanDocument(_Strict):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["plan", "onsite"] = "plan"
    headquarters: str | None = None
    description: str = ""
    applies_to: AppliesTo
    activation: Activation = Field(default_factory=Activation)
    escalation: Escalation = Field(default_factory=Escalation)
    response_levels: list[ResponseLevel] = Field(min_length=1)
    aftermath: list[Party] = Field(default_factory=list)

    @model_validator(mode="after")
    def _levels_unique(self) -> PlanDocument:
        seen = [r.level for r in self.response_levels]
        if len(seen) != len(set(seen)):
            raise ZhValueError("响应级别重复", "a response level appears twice")
        self.response_levels.sort(key=lambda r: -level_rank(r.level))  # IV first
        if not any(r.parties for r in self.response_levels):
            raise ZhValueError("预案没有任何参与方", "the plan names no party")
        return self


# ------------------------------------------------------------------ YAML
def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based YAML line of the value at a pydantic error location."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if node is None:
            break
        nxt = None
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for k, v in node.value:
                if getattr(k, "value", None) == part:
                    nxt = v
                    line = k.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            nxt = node.value[part]
            line = nxt.start_mark.line + 1
        node = nxt
    return line


def yaml_error(message: str, message_en: str, *, line: int | None = None) -> ApiError:
    item = {"field": "yaml", "line": line, "code": "invalid_yaml", "message": message,
            "message_en": message_en}  # fmt: skip
    return ApiError(422, "invalid_plan", message, message_en, field="yaml", errors=[item])


def parse_yaml(text: str) -> tuple[dict[str, Any], yaml.Node | None]:
    """YAML text → plain data and its node tree (for line numbers); safe loader only."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        where = f"第 {line} 行" if line else ""
        raise yaml_error(
            f"YAML 格式错误{where}：{getattr(exc, 'problem', '') or exc}",
            f"Malformed YAML{f' at line {line}' if line else ''}: "
            f"{getattr(exc, 'problem', '') or exc}",
            line=line,
        ) from None
    if not isinstance(data, dict):
        raise yaml_error("预案 YAML 顶层须为映射（键: 值）", "A plan's YAML must be a mapping")
    return data, node


def validate(data: dict[str, Any], node: yaml.Node | None = None) -> PlanDocument:
    """Validate plan data; errors carry the field path and, from YAML, the line."""
    try:
        return PlanDocument.model_validate(data)
    except ValidationError as exc:
        raw = list(exc.errors())
        items = validation_items(raw)
        for item, err in zip(items, raw, strict=True):
            item["line"] = _line_of(node, tuple(err.get("loc", ()))) if node is not None else None
        first = items[0]
        at = f"（第 {first['line']} 行）" if first.get("line") else ""
        at_en = f" (line {first['line']})" if first.get("line") else ""
        raise ApiError(
            422,
            "invalid_plan",
            f"预案有 {len(items)} 处错误；{first['field']}{at}：{first['message']}",
            f"The plan has {len(items)} error(s); {first['field']}{at_en}: {first['message_en']}",
            field=first["field"],
            errors=items,
        ) from None


def from_yaml(text: str) -> tuple[PlanDocument, yaml.Node | None]:
    data, node = parse_yaml(text)
    return validate(data, node), node


def to_yaml(doc: PlanDocument | dict[str, Any]) -> str:
    data = doc.model_dump(exclude_defaults=False) if isinstance(doc, PlanDocument) else doc
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
