"""`kehu report`: the period's statistics as Markdown, JSON or an Excel workbook."""

from __future__ import annotations

import json

from kehu.markdown import esc
from kehu.stats import Period, Table, summary
from kehu.xlsx import add_sheet, new_book, to_bytes


def _cell(value) -> str:
    return "—" if value is None else esc(value)


def markdown(period: Period, tables: list[Table]) -> str:
    totals = summary(tables)
    lines = [f"# {period.title}", "",
             f"新增客户 **{totals['new_customers']}** 位，签约 **{totals['signed']}** 位，回访 **{totals['visits']}** 次，"
             f"投诉 **{totals['complaints']}** 件，收回公海 **{totals['reclaimed']}** 位。", ""]
    for table in tables:
        lines += [f"## {table.title}", ""]
        if not table.rows:
            lines += ["（本期无）", ""]
            continue
        lines.append("| " + " | ".join(table.headers) + " |")
        lines.append("|" + "---|" * len(table.headers))
        lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]
        lines.append("")
    return "\n".join(lines)


def as_json(period: Period, tables: list[Table]) -> str:
    document = {"period": {"kind": period.kind, "title": period.title, "start": period.start.isoformat(),
                           "end": period.end.isoformat()},
                "summary": summary(tables), "tables": {t.key: t.as_dict() for t in tables}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def xlsx(period: Period, tables: list[Table]) -> bytes:
    """One sheet per table, after an overview sheet."""
    book = new_book()
    add_sheet(book, "概要", ["项目", "数值"], [["报表", period.title], *([k, v] for k, v in summary(tables).items())])
    for table in tables:
        add_sheet(book, table.title, table.headers, table.rows)
    return to_bytes(book)
