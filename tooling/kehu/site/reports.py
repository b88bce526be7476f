"""The site's reports: the week (to Friday 18:00) and the month, each page led by its headline
figures beside the previous period's (and, for a month, the same month last year's) with
the change in words and an arrow, then charts, then every table of `kehu report` folded
under them; an archive of the last WEEKS weeks and MONTHS months with links from each period
to the one before and after, and an index listing them newest first.

The figures and tables are kehu.stats', computed as `kehu report` computes them and through
the site's Visibility (masked by default: 绝密 customers not counted, 机密 ones by id alone;
`--full` shows everything), so a page and `kehu report ... --format json` for the same period
agree. Each period's tables are computed once per build however many pages show them.
Every value is escaped: text in Markdown through `esc`, in HTML and SVG through
`html.escape`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from datetime import timedelta
from html import escape

from kehu.domain import Period, add_months, calendar_month, last_week, presented_month
from kehu.markdown import esc
from kehu.report.statistics import HEADLINE, plain
from kehu.site import charts
from kehu.stats import SUMMARY_LABELS, Table, change_percent, monthly_analysis, report_tables, summary

WEEKS = MONTHS = 12  # periods in the archive
LOWER_IS_BETTER = {"complaints", "reclaimed", "lost"}
RATES = {"follow_up_satisfied_rate"}  # a change in percentage points, not percent
BETTER, WORSE = "#1b6e35", "#b3261e"  # both above 4.5:1 on white; the words say it without colour
SERIES_COLOURS = ("#3f6ec6", "#e0803a", "#8c8c8c")
LABEL_CHARS = 8  # a chart label longer than this is cut (the folded table has it whole)
TOP_ROWS = 12  # bars in a chart of people or reasons
SCOPE = ("统计口径：周报截至每周五 18:00（统计制度第三条），月报为自然月，每月最后一周的月报为本月至今（月末例会，第四条）；"
         "绝密客户不计，机密客户只显示编号。任意时段用 `kehu report range --from … --to …`，"
         "Excel 版用 `--format xlsx`。")


@dataclass
class Report:
    kind: str  # weekly | monthly
    slug: str  # the week's closing Friday (2026-11-20) or the month (2026-10)
    period: Period
    previous: Period
    last_year: Period | None = None  # monthly only

    @property
    def page(self) -> str:
        return f"reports/{self.kind}/{self.slug}.md"

    @property
    def short(self) -> str:
        """The period in a few characters, for links and chart labels."""
        if self.kind == "weekly":
            return f"{self.period.start:%m-%d} 至 {self.period.end:%m-%d}"
        return f"{self.period.start:%Y-%m}" + ("（至今）" if "截至" in self.period.title else "")

    @property
    def listed(self) -> str:
        """The period in the index's list: 2026-11-13 至 11-20 (Friday 18:00 to Friday 18:00)."""
        if self.kind == "weekly":
            return f"{self.period.start:%Y-%m-%d} 至 {self.period.end:%m-%d}"
        return self.period.title.removeprefix("月报 ")


def weeks(today, count: int = WEEKS) -> list[Report]:
    """The last `count` statistics weeks, newest first."""
    reports, period = [], last_week(today)
    for _ in range(count):
        before = last_week(period.end.date() - timedelta(days=7))
        reports.append(Report("weekly", f"{period.end:%Y-%m-%d}", period, before))
        period = before
    return reports


def months(today, count: int = MONTHS) -> list[Report]:
    """The month a monthly report presents today (see kehu.domain.presented_month) and the
    `count` - 1 before it, newest first."""
    newest = presented_month(today)
    reports = []
    for back in range(count):
        first = add_months(newest.start.date(), -back)
        period = newest if back == 0 else calendar_month(first)
        reports.append(Report("monthly", f"{first:%Y-%m}", period, calendar_month(add_months(first, -1)),
                              calendar_month(add_months(first, -12))))
    return reports


class Archive:
    """Each period's tables, computed once per build through the site's Visibility."""

    def __init__(self, site):
        self.site = site
        self._tables: dict[tuple, list[Table]] = {}

    def tables(self, period: Period) -> list[Table]:
        key = (period.start, period.end)
        if key not in self._tables:
            self._tables[key] = report_tables(self.site.repo, period, self.site.view)
        return self._tables[key]

    def figures(self, period: Period) -> dict:
        return summary(self.tables(period))


def write_reports(site) -> None:
    """Every report page: the archive, the index, and reports/weekly.md and monthly.md (the
    newest of each, where the site linked them before there was an archive)."""
    archive = Archive(site)
    series = {"weekly": weeks(site.repo.today), "monthly": months(site.repo.today)}
    for kind, reports in series.items():
        for index, report in enumerate(reports):
            newer = reports[index - 1] if index else None
            older = reports[index + 1] if index + 1 < len(reports) else None
            site.write(report.page, render(archive, report, report.page, older, newer))
        site.write(f"reports/{kind}.md", render(archive, reports[0], f"reports/{kind}.md", reports[1] if len(reports) > 1
                                               else None, None))
    site.write("reports/index.md", index_page(archive, series))
    for kind in series:  # `kehu serve` regenerates into one folder: a week that left the archive goes
        for path in (site.out / "reports" / kind).glob("*.md"):
            if f"reports/{kind}/{path.name}" not in site.written:
                path.unlink()


def link(here: str, target: str) -> str:
    """A relative link from the page `here` to the page `target` (both from the docs folder)."""
    return posixpath.relpath(target, posixpath.dirname(here))


# --- one period's page ---------------------------------------------------------------------

WORDS = {"weekly": ("本周", "上周", "周"), "monthly": ("本月", "上月", "月")}


def render(archive: Archive, report: Report, here: str, older: Report | None, newer: Report | None) -> str:
    this, before, unit = WORDS[report.kind]
    if report.kind == "monthly":
        tables, document = monthly_analysis(archive.site.repo, report.period, archive.site.view, archive.tables)
        measures = document["measures"]
    else:
        tables = archive.tables(report.period)
        current, previous = summary(tables), archive.figures(report.previous)
        measures = [{"key": key, "label": label, "current": current[key], "previous": previous[key]}
                    for key, label in SUMMARY_LABELS.items()]
    lines = [f"# {esc(report.period.title)}", "", _pager(report, here, older, newer, unit), "",
             f"上期：{esc(report.previous.title)}" + (f"；去年同期：{esc(report.last_year.title)}" if report.last_year else "")
             + "。", "", "## 主要指标", "", _figures(report, measures, this, before), "", "## 图表", "",
             *_charts(report, measures, tables, this, before), "", "## 明细表", "", "点开表名看表格；表头可点击排序。", ""]
    lines += [_folded(table) for table in tables]
    return "\n".join(lines) + "\n"


def _pager(report: Report, here: str, older: Report | None, newer: Report | None, unit: str) -> str:
    """Links to the period before and after, and to the index."""
    parts = [f"[← 上一{unit}：{esc(older.short)}]({link(here, older.page)}){{ rel=prev }}" if older
             else f"更早的{unit}报不在存档中"]
    parts.append(f"[报表目录]({link(here, 'reports/index.md')})")
    parts.append(f"[下一{unit}：{esc(newer.short)} →]({link(here, newer.page)}){{ rel=next }}" if newer
                 else "这是最新一期")
    return " · ".join(parts) + "\n{ .kehu-pager }"


def _figures(report: Report, measures: list[dict], this: str, before: str) -> str:
    """The headline figures as a table: this period, the previous one and the change (for a
    month also the same month last year and the change from it)."""
    heads = ["指标", this, before, "变化"] + (["去年同月", "同比变化"] if report.kind == "monthly" else [])
    rows = []
    for m in measures:
        cells = [escape(m["label"]), _number(m["current"]), _number(m["previous"]),
                 _change(m["key"], m["current"], m["previous"], before)]
        if report.kind == "monthly":
            cells += [_number(m["last_year"]), _change(m["key"], m["current"], m["last_year"], "去年同月")]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in heads)
    # no class, so that the theme styles it as any table; data-kehu: kehu.js adds no filter box
    return f'<table data-kehu="figures"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'



def _number(value) -> str:
    return escape(str(plain(value)))


def _change(key: str, current, base, against: str) -> str:
    """The change from `base` to `current` in words with an arrow (▲ 增加 3（+25.0%）), coloured
    green or red by whether it is good news; the words carry it without the colour."""
    if current is None or base is None:
        return "—"
    delta = round(current - base, 2)
    if delta == 0:
        return "持平"
    up = delta > 0
    if key in RATES:
        amount, percent = f"{_decimal(abs(delta))} 个百分点", ""
    else:
        share = change_percent(current, base)
        amount = _decimal(abs(delta))
        percent = f"（{'+' if up else '−'}{_decimal(abs(share))}%）" if share is not None else f"（{against}为 0）"
    words = ("提高" if up else "降低") if key in RATES or key == "satisfaction_average" else ("增加" if up else "减少")
    good = up != (key in LOWER_IS_BETTER)
    arrow = "▲" if up else "▼"
    return (f'<span class="kehu-change kehu-{"better" if good else "worse"}" style="color:{BETTER if good else WORSE}">'
            f'<span aria-hidden="true">{arrow}</span> {words} {escape(amount)}{escape(percent)}</span>')


def _decimal(value) -> str:
    """12, 0.5, 1234.25: no trailing zeros, no exponent."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _rows(tables: list[Table], key: str) -> list[list]:
    return next((t.rows for t in tables if t.key == key), [])


def _cut(label, person: bool = False) -> str:
    """A chart's label: short enough for the chart; a person (刘洋（liuyang）) by name."""
    text = str(plain(label))
    if person and "（" in text:
        text = text.split("（", 1)[0]
    return text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…"


def _charts(report: Report, measures: list[dict], tables: list[Table], this: str, before: str) -> list[str]:
    """The comparison with the previous period across the page, then a grid of the period's own."""
    by_key = {m["key"]: m for m in measures}
    names = [this, before] + (["去年同月"] if report.kind == "monthly" else [])
    fields = ["current", "previous"] + (["last_year"] if report.kind == "monthly" else [])
    shown = [by_key[k] for k in HEADLINE]
    parts = [compare_bars(f"{this}与{'、'.join(names[1:])}", [SUMMARY_LABELS[m["key"]] for m in shown],
                          [(name, [m[f] for m in shown]) for name, f in zip(names, fields)]),
             "", '<div class="kehu-grid kehu-report-charts" markdown>', ""]
    stage = [(row[0], row[1]) for row in _rows(tables, "stage_changes") if isinstance(row[1], int)]
    candidates = [
        ("新增客户按来源", [(r[0], r[1]) for r in _rows(tables, "new_by_source")], ""),
        ("本期达到各节点的客户数", stage if any(v for _, v in stage) else [], ""),
        (f"回访按员工（前 {TOP_ROWS} 位）", [(r[0], r[1]) for r in _rows(tables, "visits_by_staff")][:TOP_ROWS], ""),
        ("回访按类型", [(r[0], r[1]) for r in _rows(tables, "visits_by_type")], ""),
        ("投诉按类别", [(r[0], r[1]) for r in _rows(tables, "complaints")], ""),
        ("合同金额按客户经理（万元）", [(r[0], r[2]) for r in _rows(tables, "contracts")][:TOP_ROWS], " 万元"),
        (f"流失原因（前 {TOP_ROWS} 项）", [(r[0], r[1]) for r in _rows(tables, "lost_reasons")][:TOP_ROWS], ""),
    ]
    for title, items, unit in candidates:
        if items:  # a chart of nothing says less than the table's （本期无）
            person = title.startswith(("回访按员工", "合同金额"))
            parts.append(charts.bars(title, [(_cut(label, person), value) for label, value in items], unit))
    return parts + ["", "</div>"]


def _folded(table: Table) -> str:
    """A table under a <details> that opens on a click; its name and size show when folded."""
    lines = ['<details class="kehu-table" markdown>', f"<summary>{escape(table.title)}（{len(table.rows)} 行）</summary>", ""]
    if table.rows:
        lines.append("| " + " | ".join(esc(h) for h in table.headers) + " |")
        lines.append("|" + "---|" * len(table.headers))
        lines += ["| " + " | ".join(esc(plain(v)) for v in row) + " |" for row in table.rows]
    else:
        lines.append("（本期无）")
    return "\n".join(lines + ["", "</details>", ""])


# --- the comparison chart ------------------------------------------------------------------

def compare_bars(title: str, labels: list[str], series: list[tuple[str, list]]) -> str:
    """Grouped horizontal bars: per label one bar per series (this period, the previous ...).
    The figures differ in size (visits against contracts), so each row has its own scale: the
    longest bar of a row is its largest figure, and every bar is labelled with its number.
    The whole comparison is also the SVG's text alternative."""
    row_h, bar_h, label_w, bar_w, legend_h = 12 + 14 * len(series), 12, 130, 330, 26
    height = legend_h + row_h * len(labels) + 6
    said = "；".join(f"{label}：" + "，".join(f"{name} {plain(values[i])}" for name, values in series)
                    for i, label in enumerate(labels))
    parts = [f'<svg role="img" aria-label="{escape(title)}（{escape(said)}）" viewBox="0 0 {label_w + bar_w + 60} {height}" '
             f'width="100%"><desc>{escape(said)}</desc>']
    x = label_w
    for s, (name, _) in enumerate(series):
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{SERIES_COLOURS[s % len(SERIES_COLOURS)]}"/>'
                     f'<text x="{x + 16}" y="16" font-size="13">{escape(name)}</text>')
        x += 20 + 14 * len(name) + 16
    for i, label in enumerate(labels):
        y = legend_h + i * row_h
        values = [values[i] for _, values in series]
        top = max((v for v in values if isinstance(v, (int, float))), default=0) or 1
        parts.append(f'<text x="{label_w - 8}" y="{y + row_h / 2 + 4:.0f}" text-anchor="end" font-size="13">'
                     f'{escape(label)}</text>')
        for s, (name, _) in enumerate(series):
            value = values[s]
            width = max(1, round(bar_w * value / top)) if isinstance(value, (int, float)) and value > 0 else 0
            bar_y = y + 6 + s * 14
            parts.append(f'<rect x="{label_w}" y="{bar_y}" width="{width}" height="{bar_h}" rx="2" '
                         f'fill="{SERIES_COLOURS[s % len(SERIES_COLOURS)]}"><title>{escape(label)}，{escape(name)}：'
                         f'{escape(str(plain(value)))}</title></rect>')
            parts.append(f'<text x="{label_w + width + 5}" y="{bar_y + 10}" font-size="11">{escape(str(plain(value)))}</text>')
    parts.append("</svg>")
    # the whole width of a phone, about its natural size on a desk
    return (f'<figure class="kehu-chart kehu-compare" style="max-width:34rem">'
            f'<figcaption>{escape(title)}（每行按本行最大值缩放）</figcaption>'
            f'{"".join(parts)}</figure>')


# --- the index -----------------------------------------------------------------------------

INDEX_KEYS = ("new_customers", "signed", "contract_amount_wan", "visits", "complaints", "reclaimed", "lost")


def index_page(archive: Archive, series: dict[str, list[Report]]) -> str:
    here = "reports/index.md"
    lines = ["# 报表", "", SCOPE, ""]
    for kind, heading, label in (("weekly", f"周报（近 {WEEKS} 周）", "周（周五 18:00 截止）"),
                                 ("monthly", f"月报（近 {MONTHS} 个月）", "月")):
        reports = series[kind]
        figures = [archive.figures(r.period) for r in reports]
        lines += [f"## {heading}", "", '<div class="kehu-grid kehu-report-charts" markdown>', ""]
        for key in ("new_customers", "signed", "visits"):
            lines.append(charts.columns(f"{SUMMARY_LABELS[key]}，按{label[0]}",
                                        [(r.short.split(" 至 ")[-1], f[key]) for r, f in zip(reversed(reports), reversed(figures))]))
        lines += ["", "</div>", "", "| " + " | ".join([label, *(SUMMARY_LABELS[k] for k in INDEX_KEYS)]) + " |",
                  "|" + "---|" * (len(INDEX_KEYS) + 1)]
        for report, figure in zip(reports, figures):
            lines.append(f"| [{esc(report.listed)}]({link(here, report.page)}) | "
                         + " | ".join(esc(plain(figure[k])) for k in INDEX_KEYS) + " |")
        lines.append("")
    return "\n".join(lines)
