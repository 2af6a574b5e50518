"""The incident report (事件报告) as PDF: facts, timeline, tasks, warnings and the review.

Rendered with reportlab and its built-in Adobe CID font STSong-Light (Chinese text needs no
font file on the machine: the PDF names the font and every reader supplies it).
"""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from yingji.command.tasks.rules import STATUS_NAMES
from yingji.scheduling.clock import BEIJING

FONT = "STSong-Light"
_registered = False


def _font() -> str:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _registered = True
    return FONT


def _t(at: datetime | None) -> str:
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") if at else "—"


def _dur(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = round(seconds)
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h} 小时 {m} 分 {sec} 秒" if h else f"{m} 分 {sec} 秒"


def render(
    *,
    incident: dict[str, Any],
    timeline: list[dict[str, Any]],
    tasks: list[dict[str, Any]],
    warnings: list[dict[str, Any]],
    review: dict[str, Any],
    generated_at: datetime,
) -> bytes:
    """The report as PDF bytes (values in, bytes out: no database here)."""
    font = _font()
    base = ParagraphStyle("base", fontName=font, fontSize=9.5, leading=13)
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10.5)
    h1 = ParagraphStyle("h1", parent=base, fontSize=16, leading=22, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=base, fontSize=12, leading=17, spaceBefore=10, spaceAfter=4)

    def p(text: Any, style: ParagraphStyle = small) -> Paragraph:
        return Paragraph(escape(str(text if text is not None else "—")), style)

    def table(rows: list[list[Any]], widths: list[float]) -> Table:
        t = Table(
            [[c if isinstance(c, Paragraph) else p(c) for c in r] for r in rows],
            colWidths=[w * mm for w in widths],
            repeatRows=1,
        )
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.92, 0.96)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    story: list[Any] = [
        p(f"突发事件处置报告：{incident['title'] or '事件 ' + str(incident['id'])}", h1),
        p(f"事件编号 {incident['id']}　生成时间 {_t(generated_at)}（北京时间）", base),
        p("一、基本情况", h2),
    ]
    cas = incident.get("casualties") or {}
    pending = incident.get("needs_assessment")
    facts = [
        ["项目", "内容"],
        ["类别", incident.get("category_display", "")],
        ["级别", f"{incident['level']} 级" + ("（待评估）" if pending else "")],
        ["状态", incident.get("status_name", incident["status"])],
        ["发生时间", _t(incident.get("occurred_at"))],
        ["地点", incident.get("address") or f"{incident.get('lon')}, {incident.get('lat')}"],
        ["属地街道", incident.get("subdistrict_name") or "—"],
        ["牵头指挥部", incident.get("headquarters_name") or "—"],
        ["伤亡", f"死亡 {cas.get('deaths') or 0}，失踪 {cas.get('missing') or 0}，"
                 f"重伤 {cas.get('serious_injuries') or 0}，受伤 {cas.get('injuries') or 0}"],
        ["报告数", incident.get("report_count", 0)],
    ]  # fmt: skip
    story.append(table(facts, [35, 140]))

    story.append(p("二、处置时间线", h2))
    story.append(
        table(
            [["时间", "环节", "经过"]] + [[_t(e["at"]), e["kind"], e["message"]] for e in timeline],
            [34, 28, 113],
        )
    )

    story.append(p("三、任务", h2))
    story.append(
        table(
            [["#", "参与方", "任务", "状态", "时限", "到场", "完成"]]
            + [
                [
                    t["seq"],
                    t["party"]["name"],
                    t["title"],
                    STATUS_NAMES.get(t["status"]),
                    _t(t["deadline_at"]),
                    _t(t["on_scene_at"]),
                    _t(t["completed_at"]),
                ]
                for t in tasks
            ],
            [8, 28, 52, 13, 25, 25, 25],
        )
    )

    if warnings:
        story.append(p("四、周边预警", h2))
        story.append(
            table(
                [["预警", "级别", "范围", "状态", "发布", "解除"]]
                + [
                    [
                        w["headline"],
                        w["colour_name"],
                        w["area_desc"],
                        "已解除" if w["status"] == "lifted" else "生效中",
                        _t(w["issued_at"]),
                        _t(w["lifted_at"]),
                    ]
                    for w in warnings
                ],
                [55, 14, 38, 16, 26, 26],
            )
        )

    m = review["measured"]
    story.append(p("五、总结评估", h2))
    story.append(
        table(
            [
                ["指标", "用时"],
                ["接报 → 核实", _dur(m["report_to_verified_s"])],
                ["核实 → 启动预案", _dur(m["verified_to_activated_s"])],
                ["启动预案 → 首支力量到场", _dur(m["activated_to_first_on_scene_s"])],
                ["接报 → 结案（总用时）", _dur(m["total_s"])],
                [
                    "任务完成 / 总数（超时）",
                    f"{m['tasks_completed']} / {m['tasks_total']}（{m['tasks_late']}）",
                ],
            ],
            [70, 105],
        )
    )
    if m["per_party"]:
        story.append(Spacer(1, 4))
        story.append(
            table(
                [["参与方", "任务", "接收用时", "到场用时", "完成用时", "超时"]]
                + [
                    [
                        r["party_name"],
                        r["tasks"],
                        _dur(r["to_accept_s"]),
                        _dur(r["to_on_scene_s"]),
                        _dur(r["to_complete_s"]),
                        r["late"],
                    ]
                    for r in m["per_party"]
                ],
                [45, 12, 32, 32, 38, 16],
            )
        )
    if review.get("summary"):
        story.append(Spacer(1, 4))
        story.append(p(review["summary"], base))
    for i, lesson in enumerate(review.get("lessons") or [], 1):
        story.append(p(f"经验教训 {i}：{lesson.get('text', '')}", base))

    buf = BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=f"事件 {incident['id']} 处置报告", author="Yingji",
    )  # fmt: skip
    doc.build(story)
    return buf.getvalue()
