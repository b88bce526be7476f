"""`kehu report`: the period's statistics and the per-person scorecard as Markdown, JSON or
an Excel workbook (Chinese sheet and column names, numbers as numbers, times as Excel dates,
charts on sheets of their own)."""

from __future__ import annotations

import json
from datetime import date, datetime

from kehu.markdown import esc
from kehu.scorecard import LEVELS, MEASURES, Scorecard
from kehu.stats import SUMMARY_LABELS, Period, Table, period_document, summary
from kehu.xlsx import add_chart_sheet, add_sheet, new_book, to_bytes

NONE = "—"  # a figure with nothing to measure (a rate of no complaints, a change from 0)
HEADLINE = ("new_customers", "signed", "visits", "complaints", "reclaimed", "lost")  # the comparison chart's figures


def plain(value):
    """A value as text shows it: times to the minute, nothing as —."""
    if value is None:
        return NONE
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _cell(value) -> str:
    return esc(plain(value))


def _markdown_tables(tables: list[Table]) -> list[str]:
    lines = []
    for table in tables:
        lines += [f"## {esc(table.title)}", ""]
        if not table.rows:
            lines += ["（本期无）", ""]
            continue
        lines.append("| " + " | ".join(esc(h) for h in table.headers) + " |")
        lines.append("|" + "---|" * len(table.headers))
        lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]
        lines.append("")
    return lines


def markdown(period: Period, tables: list[Table]) -> str:
    totals = summary(tables)
    lines = [f"# {period.title}", "",
             f"新增客户 **{totals['new_customers']}** 位，签约 **{totals['signed']}** 位"
             f"（合同金额 **{totals['contract_amount_wan']}** 万元），回访 **{totals['visits']}** 次，"
             f"投诉 **{totals['complaints']}** 件，收回公海 **{totals['reclaimed']}** 位，流失 **{totals['lost']}** 位。", ""]
    return "\n".join(lines + _markdown_tables(tables))


def _json_ready(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def as_json(period: Period, tables: list[Table], comparison: dict | None = None) -> str:
    document = {"period": period_document(period), "summary": summary(tables), "tables": {t.key: t.as_dict() for t in tables}}
    if comparison is not None:
        document["comparison"] = comparison
    return json.dumps(document, ensure_ascii=False, indent=2, default=_json_ready) + "\n"


def _period_rows(period: Period) -> list[list]:
    return [["报表", period.title], ["起始时间", period.start], ["截止时间（不含）", period.end]]


def xlsx(period: Period, tables: list[Table], comparison: dict | None = None) -> bytes:
    """An overview sheet, a chart sheet or two, then one sheet per table."""
    book = new_book()
    totals = summary(tables)
    add_sheet(book, "概要", ["项目", "数值"], [*_period_rows(period), *([SUMMARY_LABELS[k], v] for k, v in totals.items())])
    by_key = {t.key: t for t in tables}
    if by_key["new_by_source"].rows:
        add_chart_sheet(book, "图表-新增客户来源", "新增客户按来源", ["来源", "新增客户"], by_key["new_by_source"].rows)
    if comparison is not None:
        rows = [[m["label"], m["current"], m["previous"], m["last_year"]]
                for m in comparison["measures"] if m["key"] in HEADLINE]
        add_chart_sheet(book, "图表-月度对比", "本月与上月、去年同月", ["指标", "本月", "上月", "去年同月"], rows, kind="col")
    if by_key["contracts"].rows:
        add_chart_sheet(book, "图表-产值", "合同金额（万元）按客户经理", ["客户经理", "合同金额（万元）"],
                        [[row[0], row[2]] for row in by_key["contracts"].rows])
    for table in tables:
        add_sheet(book, table.title, table.headers, [[_xlsx(v) for v in row] for row in table.rows])
    return to_bytes(book)


def _xlsx(value):
    return NONE if value is None else value


# --- the scorecard ------------------------------------------------------------------

def _columns(card: Scorecard, role: str, people) -> list[str]:
    """The measures a role's table shows: those it is rated on, and those anyone of it has."""
    rated = card.thresholds.get(role) or {}
    return [key for key in MEASURES if key in rated or any(p.measures.get(key) not in (None, 0) for p in people)]


def _by_role(card: Scorecard) -> list[tuple[str, list]]:
    groups: dict[str, list] = {}
    for person in card.people:
        groups.setdefault(person.role, []).append(person)
    return list(groups.items())


def _who(person) -> str:
    return f"{person.name}（{person.staff}）" + ("" if person.active else "（已离职）")


def scorecard_tables(card: Scorecard) -> list[Table]:
    tables = []
    for role, people in _by_role(card):
        keys = _columns(card, role, people)
        rows = [[_who(p), p.department, *(p.measures.get(k) for k in keys), p.rating,
                 "；".join(f"{MEASURES[k][0].split('（')[0]} {v}" for k, v in p.rated.items()) or None] for p in people]
        tables.append(Table(f"scorecard_{role}", role, ["员工", "部门", *(MEASURES[k][0] for k in keys), "评级", "评级依据"], rows))
    return tables


def _threshold_rows(card: Scorecard) -> list[list]:
    rows = []
    for role, limits in card.thresholds.items():
        for key, limit in limits.items():
            better = MEASURES[key][1] if key in MEASURES else None
            rows.append([role, MEASURES.get(key, (key,))[0], key, limit.get("excellent"), limit.get("pass"),
                         "越高越好" if better == "higher" else "越低越好"])
    return rows


THRESHOLD_HEAD = ["岗位", "指标", "键名", "优良", "合格", "方向"]
SCORECARD_NOTE = (f"评级分 {'、'.join(LEVELS)} 三等（004 客户关系维护成效考核 B），标准见政策 `scorecard_ratings`："
                  "越高越好的指标达到“优良”值为优良、达到“合格”值为合格，越低越好的指标不超过相应值；"
                  "一人的评级取其参评各项中最差的一项，没有数据的指标不参评，没有参评指标的人不评级（—）。")


def scorecard_markdown(card: Scorecard) -> str:
    lines = [f"# {esc(card.period.title)}", "", SCORECARD_NOTE, ""]
    lines += _markdown_tables(scorecard_tables(card))
    lines += ["## 评级标准", "", "| " + " | ".join(THRESHOLD_HEAD) + " |", "|" + "---|" * len(THRESHOLD_HEAD)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in _threshold_rows(card)]
    return "\n".join(lines) + "\n"


def scorecard_json(card: Scorecard) -> str:
    document = {"period": period_document(card.period), "levels": list(LEVELS),
                "measures": {key: {"label": label, "better": better} for key, (label, better) in MEASURES.items()},
                "thresholds": card.thresholds, "people": [p.as_dict() for p in card.people]}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def scorecard_xlsx(card: Scorecard) -> bytes:
    book = new_book()
    counts = {level: sum(1 for p in card.people if p.rating == level) for level in LEVELS}
    add_sheet(book, "概要", ["项目", "数值"], [*_period_rows(card.period), ["参评人数", sum(counts.values())],
                                           *([f"评为{level}", n] for level, n in counts.items()), ["说明", SCORECARD_NOTE]])
    amounts = [[_who(p), p.measures["contract_amount_wan"]] for p in card.people if p.measures["contract_amount_wan"]]
    if amounts:
        add_chart_sheet(book, "图表-产值", "产值（万元）按员工", ["员工", "产值（万元）"], amounts)
    for table in scorecard_tables(card):
        add_sheet(book, table.title, table.headers, [[_xlsx(v) for v in row] for row in table.rows])
    add_sheet(book, "评级标准", THRESHOLD_HEAD, _threshold_rows(card))
    return to_bytes(book)
