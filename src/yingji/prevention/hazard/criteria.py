# ruff: noqa: E501  (the criteria are quoted whole: one item per line)
"""The 重大事故隐患 criteria lists, as rule tables: any item ticked makes a hazard 重大.

- 化工和危险化学品: 《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》
  (安监总管三〔2017〕121号), 20 items. Written here from the published list as remembered
  and NOT checked against the text: the table is published unconfirmed.
- 工贸: 《工贸企业重大事故隐患判定标准》(应急管理部令第10号, in force 2023-05-15), 64 items
  (3 management, 47 across 7 industries, 14 special). Only the management items and the
  special ones of the district's trades (粉尘涉爆, 液氨制冷, 有限空间) are entered; the rest
  are to be entered as data. Unconfirmed.
"""

from __future__ import annotations

from typing import Any

from yingji.core.errors import ZhValueError
from yingji.prevention.ruleset.service import TableSpec, register

CHEMICAL_ITEMS: list[dict[str, str]] = [
    {"code": "C01", "text": "主要负责人和安全生产管理人员未依法经考核合格"},
    {"code": "C02", "text": "特种作业人员未持证上岗"},
    {"code": "C03", "text": "涉及“两重点一重大”的生产装置、储存设施外部安全防护距离不符合国家标准要求"},
    {"code": "C04", "text": "涉及重点监管危险化工工艺的装置未实现自动化控制，系统未实现紧急停车功能或未投入使用"},
    {"code": "C05", "text": "构成一级、二级重大危险源的危险化学品罐区未实现紧急切断功能，或未按要求配备独立的安全仪表系统"},
    {"code": "C06", "text": "全压力式液化烃储罐未按国家标准设置注水措施"},
    {"code": "C07", "text": "液化烃、液氨、液氯等液化气体的充装未使用万向管道充装系统"},
    {"code": "C08", "text": "光气、氯气等剧毒气体及硫化氢气体管道穿越除厂区外的公共区域"},
    {"code": "C09", "text": "地区架空电力线路穿越生产区且不符合国家标准要求"},
    {"code": "C10", "text": "在役化工装置未经正规设计且未进行安全设计诊断"},
    {"code": "C11", "text": "使用淘汰落后安全技术工艺、设备目录列出的工艺、设备"},
    {"code": "C12", "text": "可燃和有毒有害气体泄漏场所未按国家标准设置检测报警装置，爆炸危险场所未安装使用防爆电气设备"},
    {"code": "C13", "text": "控制室或机柜间面向具有火灾、爆炸危险性装置一侧不满足防火防爆要求"},
    {"code": "C14", "text": "化工生产装置未按国家标准设置双重电源供电，自动化控制系统未设置不间断电源"},
    {"code": "C15", "text": "安全阀、爆破片等安全附件未正常投用"},
    {"code": "C16", "text": "未建立与岗位相匹配的全员安全生产责任制或者未制定实施生产安全事故隐患排查治理制度"},
    {"code": "C17", "text": "未制定操作规程和工艺控制指标"},
    {"code": "C18", "text": "未按国家标准制定动火、进入受限空间等特殊作业管理制度，或者制度未有效执行"},
    {"code": "C19", "text": "新开发的危险化学品生产工艺未经小试、中试、工业化试验直接进行工业化生产等"},
    {"code": "C20", "text": "未按国家标准分区分类储存危险化学品，超量、超品种储存，相互禁配物质混放混存"},
]  # fmt: skip
INDUSTRIAL_ITEMS: list[dict[str, str]] = [
    {"code": "M01", "text": "未对承包单位、承租单位的安全生产工作统一协调、管理，或者未定期进行安全检查"},
    {"code": "M02", "text": "特种作业人员未按照规定经专门的安全作业培训并取得相应资格，上岗作业"},
    {"code": "M03", "text": "金属冶炼企业主要负责人、安全生产管理人员未按照规定经考核合格"},
    {"code": "D01", "text": "粉尘爆炸危险场所设置在非框架结构的多层建构筑物内，或与居民区、员工宿舍、会议室等人员聚集场所安全距离不足"},
    {"code": "D02", "text": "可燃性粉尘与可燃气体等易加剧爆炸危险的介质共用一套除尘系统，或不同防火分区的除尘系统互联互通"},
    {"code": "D03", "text": "干式除尘系统未采取泄爆、惰化、抑爆等任一种爆炸防控措施"},
    {"code": "D04", "text": "铝镁等金属粉尘除尘系统采用正压吹送粉尘，且未采取火花探测消除等防范点燃源措施"},
    {"code": "D05", "text": "除尘系统采用重力沉降室除尘，或者采用干式巷道式构筑物作为除尘风道"},
    {"code": "D06", "text": "铝镁等金属粉尘、木质粉尘的干式除尘系统未设置锁气卸灰装置"},
    {"code": "A01", "text": "包装间、分割间、产品整理间等人员较多生产场所的空调系统采用氨直接蒸发制冷系统"},
    {"code": "A02", "text": "快速冻结装置未设置在单独的作业间内，且作业间内作业人员数量超过9人"},
    {"code": "S01", "text": "未对有限空间进行辨识、建立安全管理台账，并且未设置明显的安全警示标志"},
    {"code": "S02", "text": "未落实有限空间作业审批，或者未执行“先通风、再检测、后作业”要求，或者作业现场未设置专人监护"},
]  # fmt: skip


def parse_items(body: Any) -> list[dict[str, str]]:
    if not isinstance(body, list) or not body:
        raise ZhValueError("判定标准清单应为非空列表", "A criteria list is non-empty")
    items = []
    for item in body:
        if not isinstance(item, dict) or not item.get("code") or not item.get("text"):
            raise ZhValueError("每项应有 code 和 text", "Each item needs a code and a text")
        items.append({"code": str(item["code"]), "text": str(item["text"])})
    if len({i["code"] for i in items}) != len(items):
        raise ZhValueError("清单编码重复", "Item codes repeat")
    return items


CHEMICAL = register(
    TableSpec(
        kind="major_criteria_chemical", title_zh="化工和危险化学品重大隐患判定标准",
        title_en="Major hazard criteria (chemicals)", default=CHEMICAL_ITEMS,
        source="安监总管三〔2017〕121号（凭记录录入，待对照原文核实）", confirmed=False,
        validate=parse_items,
    )
)  # fmt: skip
INDUSTRIAL = register(
    TableSpec(
        kind="major_criteria_industrial", title_zh="工贸企业重大事故隐患判定标准",
        title_en="Major hazard criteria (industry and trade)", default=INDUSTRIAL_ITEMS,
        source="应急管理部令第10号（部分条目：管理类、粉尘涉爆、液氨制冷、有限空间；待补全核实）",
        confirmed=False, validate=parse_items,
    )
)  # fmt: skip


def table_for(enterprise_kind: str) -> TableSpec:
    """The chemicals list for hazardous-chemicals enterprises, else the industry-and-trade one."""
    return CHEMICAL if enterprise_kind.startswith("hazchem") else INDUSTRIAL
