"""Lists people sort and filter: Markdown tables wrapped for the shared table script
(site/overrides/assets/kehu-tables.js). Header cells become sort buttons, a text box filters
every column, and the 0-based columns named in `data-filters` get a choice box."""

from __future__ import annotations


def sortable(table: str, filters: str = "") -> str:
    """`table`: a Markdown table (head, rule, rows); `filters`: e.g. "2,3" (0-based columns)."""
    return f'<div class="kehu-table" data-filters="{filters}" markdown>\n\n{table}\n\n</div>\n'
