"""Charts as inline SVG, drawn at build time: no script, no font download, no network.

Legible at every width: the SVGs have no viewBox, so nothing is scaled: text is set in CSS
pixels (13 px, as the page's small print) at any screen width, and horizontal positions are
percentages of the chart's width; only the bars stretch. Labels start inside the chart (left
anchored, or right anchored at the right edge), so none is clipped. Each chart is role="img"
named by its title and its numbers, and the numbers are also a small table under it (数据).

Text in the SVG is the browser's own (any CJK system font shows the Chinese labels), and
every label goes through `html.escape`.
"""

from __future__ import annotations

from html import escape

PALETTE = ("#3f6ec6", "#c8642a", "#3d8a4f", "#c84b4b", "#8a63b8", "#8a6d45", "#c0508f", "#6b6b6b")
LABEL_PX, VALUE_PX = 14, 13  # font sizes (CSS px: the SVG is never scaled)
NARROWEST = 320  # px: a chart's width on a 390 px phone, less the page's margins
BAR_SHARE = 72  # % of the width the longest bar takes; the rest holds its number


def _text_width(text: str, size: int) -> float:
    """Roughly how wide `text` is set at `size` px: CJK characters are square, the rest about half."""
    return sum(size if ord(ch) > 0x2e80 else size * 0.6 for ch in text)


def _figure(title: str, svg: str, items: list[tuple[str, int]], unit: str = "", wide: bool = False) -> str:
    rows = "".join(f"<tr><td>{escape(str(label))}</td><td>{value}{escape(unit)}</td></tr>" for label, value in items)
    data = (f'<details class="kehu-chart__data"><summary>数据</summary><table><thead><tr><th>项目</th><th>数值</th></tr>'
            f"</thead><tbody>{rows}</tbody></table></details>")
    return (f'<figure class="kehu-chart{" kehu-chart--wide" if wide else ""}"><figcaption>{escape(title)}</figcaption>'
            f"{svg}{data}</figure>")


def _svg(title: str, items: list[tuple[str, int]], unit: str, height: int, body: list[str], classes: str = "") -> str:
    spoken = f"{title}：" + "，".join(f"{label} {value}{unit}" for label, value in items)
    return (f'<svg class="kehu-chart__svg{classes}" role="img" aria-label="{escape(spoken)}" width="100%" height="{height}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(spoken)}</title>{"".join(body)}</svg>')


def bars(title: str, items: list[tuple[str, int]], unit: str = "") -> str:
    """Horizontal bars, one per (label, value), largest first as given, the number right after
    each bar. Short labels stand left of their bars in a column of the chart's width (sized so
    they fit at the narrowest width); longer ones on their own line above the bar."""
    if not items:
        return f'<figure class="kehu-chart"><figcaption>{escape(title)}</figcaption><p>（无数据）</p></figure>'
    top = max(v for _, v in items) or 1
    label_share = 100 * (max(_text_width(str(label), LABEL_PX) for label, _ in items) + 8) / NARROWEST
    beside = label_share <= 34
    start = round(label_share + .5) if beside else 0
    row, bar_y, value_y = (28, 6, 19) if beside else (42, 21, 34)
    body = []
    for i, (label, value) in enumerate(items):
        y = i * row
        share = max(0.5, (BAR_SHARE - start) * value / top)
        body.append(f'<text x="{start}%" dx="-8" y="{y + 19}" text-anchor="end" font-size="{LABEL_PX}">{escape(str(label))}</text>'
                    if beside else f'<text x="0" y="{y + 15}" font-size="{LABEL_PX}">{escape(str(label))}</text>')
        body.append(f'<rect x="{start}%" y="{y + bar_y}" width="{share:.2f}%" height="16" rx="2" '
                    f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        body.append(f'<text x="{start + share:.2f}%" dx="6" y="{y + value_y}" font-size="{VALUE_PX}">{value}{escape(unit)}</text>')
    return _figure(title, _svg(title, items, unit, row * len(items) + 2, body), items, unit)


# column-chart widths (px) from which the numbers above the columns fit; see kehu.css
VALUE_WIDTHS = (480, 640, 800, 960, 1200)


def columns(title: str, items: list[tuple[str, int]]) -> str:
    """Vertical columns over time (e.g. new customers per month); the chart takes a whole row
    of the dashboard's grid. The month labels are thinned (counted from the latest month) to
    what fits at the narrowest width; the numbers above the columns show where the chart is wide
    enough for them (kehu.css, a container query), and in the data table always."""
    if not items:
        return bars(title, [])
    top = max(v for _, v in items) or 1
    n = len(items)
    step = 100 / n
    base, plot = 150, 125
    label_w = max(_text_width(str(label), VALUE_PX) for label, _ in items) + 10
    every = next((k for k in (1, 2, 3, 4, 6, 12) if NARROWEST * k / n >= label_w), n)
    body = []
    for i, (label, value) in enumerate(items):
        h = round(plot * value / top)
        left = i * step
        center = left + step / 2
        body.append(f'<rect x="{left + step * 0.15:.2f}%" y="{base - h}" width="{step * 0.7:.2f}%" height="{h}" rx="2" '
                    f'fill="{PALETTE[0]}"/>')
        body.append(f'<text class="kehu-chart__value" x="{center:.2f}%" y="{base - h - 5}" text-anchor="middle" '
                    f'font-size="{VALUE_PX}">{value}</text>')
        if (n - 1 - i) % every == 0:
            center_px = NARROWEST * center / 100
            if center_px < label_w / 2:  # would stick out on the left: start at the column
                anchor, x = "start", left
            elif NARROWEST - center_px < label_w / 2:
                anchor, x = "end", left + step
            else:
                anchor, x = "middle", center
            body.append(f'<text x="{x:.2f}%" y="{base + 19}" text-anchor="{anchor}" font-size="{VALUE_PX}">'
                        f"{escape(str(label))}</text>")
    body.append(f'<line x1="0" x2="100%" y1="{base + .5}" y2="{base + .5}" stroke="currentColor" stroke-opacity=".35"/>')
    return _figure(title, _svg(title, items, "", base + 26, body, value_class(n, _text_width(str(top), VALUE_PX) + 6)), items, wide=True)


def value_class(columns_count: int, column_px: float) -> str:
    """The class that shows the numbers above the columns only where each column is at least
    `column_px` wide (the widest number and a little space)."""
    needed = columns_count * column_px
    if needed <= NARROWEST:
        return ""
    width = next((w for w in VALUE_WIDTHS if w >= needed), None)
    return f" kehu-chart--values-from-{width}" if width else " kehu-chart--no-values"


def funnel(title: str, steps: list[tuple[str, int]]) -> str:
    """The 咨询→签约 funnel: each step's count and its share of the first, the bars centred."""
    if not steps or not steps[0][1]:
        return bars(title, [])
    first = steps[0][1]
    row = 44
    body = []
    for i, (label, value) in enumerate(steps):
        share = max(0.5, min(100.0, 100 * value / first))
        y = i * row
        body.append(f'<text x="0" y="{y + 15}" font-size="{LABEL_PX}">{escape(label)} '
                    f'<tspan font-size="{VALUE_PX}">{value}（{100 * value / first:.0f}%）</tspan></text>')
        body.append(f'<rect x="{50 - share / 2:.2f}%" y="{y + 21}" width="{share:.2f}%" height="18" rx="2" '
                    f'fill="{PALETTE[i % len(PALETTE)]}"/>')
    return _figure(title, _svg(title, steps, "", row * len(steps) + 2, body), steps)

