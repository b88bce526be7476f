"""Charts as inline SVG, drawn at build time: no script, no font download, no network.

Text in the SVG is the browser's own (any CJK system font shows the Chinese labels), and
every label goes through `html.escape`.
"""

from __future__ import annotations

from html import escape

PALETTE = ("#3f6ec6", "#e0803a", "#4a9d5b", "#c84b4b", "#8a63b8", "#9a7b4f", "#d46aa5", "#7d7d7d")


def bars(title: str, items: list[tuple[str, int]], unit: str = "") -> str:
    """Horizontal bars, one per (label, value), largest first as given."""
    if not items:
        return f'<figure class="kehu-chart"><figcaption>{escape(title)}</figcaption><p>（无数据）</p></figure>'
    top = max(v for _, v in items) or 1
    row, label_w, bar_w = 26, 110, 300
    height = row * len(items) + 10
    parts = [f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {label_w + bar_w + 70} {height}" '
             f'width="100%">']
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        width = max(1, round(bar_w * value / top))
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" font-size="13">{escape(str(label))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{width}" height="{row - 8}" rx="3" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(str(label))}: {value}{escape(unit)}</title></rect>')
        parts.append(f'<text x="{label_w + width + 6}" y="{y + 17}" font-size="12">{value}{escape(unit)}</text>')
    parts.append("</svg>")
    return f'<figure class="kehu-chart"><figcaption>{escape(title)}</figcaption>{"".join(parts)}</figure>'


def columns(title: str, items: list[tuple[str, int]]) -> str:
    """Vertical columns over time (e.g. new customers per month)."""
    if not items:
        return bars(title, [])
    top = max(v for _, v in items) or 1
    width, height, base = max(360, 28 * len(items)), 180, 150
    step = width / len(items)
    parts = [f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" width="100%">']
    for i, (label, value) in enumerate(items):
        h = round((base - 20) * value / top)
        x = i * step + 3
        parts.append(f'<rect x="{x:.1f}" y="{base - h}" width="{step - 6:.1f}" height="{h}" rx="2" fill="{PALETTE[0]}">'
                     f'<title>{escape(label)}: {value}</title></rect>')
        parts.append(f'<text x="{x + (step - 6) / 2:.1f}" y="{base - h - 4}" text-anchor="middle" font-size="10">{value}</text>')
        if i % max(1, len(items) // 12) == 0:
            parts.append(f'<text x="{x + (step - 6) / 2:.1f}" y="{base + 16}" text-anchor="middle" font-size="10">'
                         f'{escape(label)}</text>')
    parts.append("</svg>")
    return f'<figure class="kehu-chart"><figcaption>{escape(title)}</figcaption>{"".join(parts)}</figure>'


def funnel(title: str, steps: list[tuple[str, int]]) -> str:
    """The 咨询→签约 funnel: each step's count and its share of the first."""
    if not steps or not steps[0][1]:
        return bars(title, [])
    first = steps[0][1]
    row, width = 34, 420
    parts = [f'<svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width + 160} {row * len(steps) + 8}" '
             f'width="100%">']
    for i, (label, value) in enumerate(steps):
        w = max(2, round(width * value / first))
        x = (width - w) / 2 + 80
        y = 4 + i * row
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w}" height="{row - 6}" fill="{PALETTE[i % len(PALETTE)]}">'
                     f'<title>{escape(label)}: {value}</title></rect>')
        parts.append(f'<text x="{x - 6:.1f}" y="{y + 19}" text-anchor="end" font-size="13">{escape(label)}</text>')
        parts.append(f'<text x="{x + w + 6:.1f}" y="{y + 19}" font-size="12">{value}（{100 * value / first:.0f}%）</text>')
    parts.append("</svg>")
    return f'<figure class="kehu-chart"><figcaption>{escape(title)}</figcaption>{"".join(parts)}</figure>'
