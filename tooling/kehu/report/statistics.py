"""`kehu report`: the period's statistics as Markdown, JSON or an Excel workbook."""

from __future__ import annotations

import io
import json

from kehu.markdown import esc
from kehu.stats import Period, Table, summary


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
    """One sheet per table: Chinese headers, the header row frozen, columns sized to fit."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    book.remove(book.active)
    overview = book.create_sheet("概要")
    overview.append(["报表", period.title])
    for key, value in summary(tables).items():
        overview.append([key, value])
    fit_columns(overview)
    for table in tables:
        sheet = book.create_sheet(table.title[:31])
        sheet.append(table.headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE6F5")
        for row in table.rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        fit_columns(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def fit_columns(sheet) -> None:
    for column in sheet.columns:
        width = max((_display_width(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
