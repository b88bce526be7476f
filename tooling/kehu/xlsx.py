"""Excel workbooks the way staff expect them: bold Chinese headers, the header row frozen,
columns wide enough for their content (a Chinese character counts double), dates and times
as real Excel dates, and charts (openpyxl's own, which Excel, WPS and LibreOffice draw)."""

from __future__ import annotations

import io
from datetime import date, datetime

# what spreadsheet programs read as the start of a formula (OWASP's CSV injection list)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(value):
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading '."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def add_sheet(book, title: str, headers: list[str], rows: list[list], freeze: str = "A2"):
    from openpyxl.styles import Font, PatternFill

    sheet = book.create_sheet(title[:31])  # Excel's limit for sheet names
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F5")
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                cell.data_type = "s"  # text, never a formula: a record's name may be =HYPERLINK(...)
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = freeze
    fit_columns(sheet)
    return sheet


def add_chart_sheet(book, title: str, chart_title: str, headers: list[str], rows: list[list], kind: str = "bar"):
    """A sheet with a small table (labels, then one column per series) and a chart of it
    beside: horizontal bars (`bar`) or clustered columns (`col`)."""
    from openpyxl.chart import BarChart, Reference

    sheet = add_sheet(book, title, headers, rows)
    chart = BarChart()
    chart.type = kind
    chart.title = chart_title
    chart.style = 10
    chart.legend = None if len(headers) == 2 else chart.legend
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 leaves axes unset: some programs hide them
    if kind == "bar":
        chart.x_axis.scaling.orientation = "maxMin"  # the first (largest) row on top, as in the table
    data = Reference(sheet, min_col=2, max_col=len(headers), min_row=1, max_row=len(rows) + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
    chart.height = max(7.5, 0.8 * len(rows) + 3) if kind == "bar" else 9
    chart.width = 18
    sheet.add_chart(chart, f"{sheet.cell(row=1, column=len(headers) + 2).column_letter}2")
    return sheet


def fit_columns(sheet) -> None:
    for column in sheet.columns:
        width = max((_display_width(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)


def new_book():
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def to_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)
