"""Excel workbooks the way staff expect them: bold Chinese headers, the header row frozen,
columns wide enough for their content (a Chinese character counts double)."""

from __future__ import annotations

import io

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
    sheet.freeze_panes = freeze
    fit_columns(sheet)
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
