"""The customer page, the lists and the charts as people use them (issue 17, point 3): open
problems first, the facts as a readable (masked, escaped) list, year lists the shared table
script sorts and filters, charts legible at 1280 and 390 px, no sideways scrolling on a phone.
Real builds, served over HTTP, in Debian's headless chromium (tests/chromium.py)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from html import unescape

import pytest

from chromium import Browser
from conftest import PROJECT, company, kehu
from kehu.site import charts

PHONE = (390, 844)  # an everyday phone's viewport, in CSS px
HOSTILE = "<script>alert(1)</script>"


def serve(folder):
    http.server.SimpleHTTPRequestHandler.log_message = lambda *args: None
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("pages") / "demo"
    code, _, err = kehu("build", "--out", str(out), repo=str(PROJECT))
    assert code == 0, err
    server, url = serve(out)
    yield out, url
    server.shutdown()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """The test company with a customer whose name is markup and a 机密 customer."""
    repo = company(tmp_path_factory.mktemp("pages") / "company")
    repo.customer(id="C2026-0002", name=HOSTILE, phone="13800138000")
    repo.customer(id="C2026-0003", name="钱机", phone="13700002222", extra="confidentiality: 机密\n")
    code, _, err = kehu("build", repo=repo)
    assert code == 0, err
    return repo.root / "_site"


def page(site, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def article(html: str) -> str:
    return html.split('<article class="md-content__inner md-typeset">', 1)[1].split("</article>", 1)[0]


def headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>|&para;|¶", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", article(html), re.S)]


def facts(html: str) -> dict[str, str]:
    [listing] = re.findall(r'<dl class="kehu-facts">(.*?)</dl>', html, re.S)
    return dict(re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", listing, re.S))


# --- the customer page ------------------------------------------------------------------


def test_open_problems_come_first_on_a_demo_customer_page(demo_site):
    """C2024-0007: a complaint follow-up missed (K504, warning) and a hand-over duty due in six
    days (K408): both above the facts, each with its rule, severity and due date."""
    out, _ = demo_site
    html = page(out, "customers/C2024-0007")
    assert headings(html) == ["待处理（2）", "基本情况", "时间线", "修改记录"]
    body = article(html)
    assert body.index("写跟进") < body.index("待处理（2）")
    problems = body.split("待处理（2）", 1)[1].split("基本情况", 1)[0]
    first, second = re.findall(r"<li>(.*?)</li>", problems, re.S)
    assert "警告" in first and 'href="../../rules/K504/"' in first and "到期 2026-08-14（已超期 98 天）" in first
    assert "待办" in second and 'href="../../rules/K408/"' in second and "到期 2026-11-26（还剩 6 天）" in second
    assert "<table>\n<thead>\n<tr>\n<th></th>" not in body  # the half-width table with an empty header is gone
    assert facts(html)["客户经理"] == '<a href="../../staff/lina/">李娜</a>'


def test_a_customer_with_nothing_open_says_so(hostile_site):
    assert headings(page(hostile_site, "customers/C2026-0002"))[0] == "待处理"
    assert "没有待处理的问题。" in page(hostile_site, "customers/C2026-0002")


def test_the_facts_are_masked_and_escaped(hostile_site):
    html = page(hostile_site, "customers/C2026-0002")
    shown = facts(html)
    assert shown["电话"] == "138****8000" and "13800138000" not in html
    assert shown["小区"] == "万科城市花园" and shown["分级"] == "B" and shown["阶段"] == "咨询"
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in article(html)


def test_a_confidential_page_still_shows_only_id_owner_and_stage(hostile_site):
    html = page(hostile_site, "customers/C2026-0003")
    assert facts(html) == {"客户经理": '<a href="../../staff/liuyang/">刘洋</a>', "阶段": "咨询"}
    assert headings(html) == []  # no problems, no facts section, no timeline, no history
    for secret in ("钱机", "137****2222", "万科城市花园", "闵行区", "到店"):
        assert secret not in html


def test_problems_are_above_the_fold_on_a_phone(demo_site):
    _, url = demo_site
    with Browser(*PHONE, mobile=True) as browser:
        browser.open(f"{url}customers/C2024-0007/")
        top = browser.js("[...document.querySelectorAll('article h2')].find(h => h.textContent.startsWith('待处理'))"
                         ".nextElementSibling.getBoundingClientRect().top")
        assert top < PHONE[1] - 100, top
        heights = browser.js("[...document.querySelectorAll('.kehu-acts .kehu-act')].map(a => a.getBoundingClientRect().height)")
        assert len(heights) == 3 and min(heights) >= 44, heights


# --- lists ------------------------------------------------------------------------------


def test_year_staff_and_pool_lists_are_wrapped_for_the_table_script(demo_site):
    out, _ = demo_site
    assert article(page(out, "customers/2025")).count('<div class="kehu-table" data-filters="2,3,4,5">') == 1
    assert '<div class="kehu-table" data-filters="2,3,5">' in page(out, "staff/liuyang")
    pool = page(out, "pool")
    assert '<div class="kehu-table" data-filters="2,3">' in pool and '<div class="kehu-table" data-filters="2,3,5">' in pool
    # the days left are bare numbers, so the column sorts as numbers (overdue ones in bold)
    assert re.search(r"<td><strong>-\d+</strong></td>", pool) and re.search(r"<td>\d+</td>\s*</tr>", pool)


# --- charts -----------------------------------------------------------------------------


def test_chart_markup_is_accessible_escaped_and_unscaled():
    figure = charts.bars("客户按小区", [(HOSTILE, 3), ("万科", 12)])
    assert HOSTILE not in figure and "&lt;script&gt;" in figure
    assert "viewBox" not in figure  # nothing is scaled: text stays at its pixel size
    svg = figure.split("<svg", 1)[1]
    assert 'role="img"' in svg and "<title>" in svg
    label = unescape(re.search(r'aria-label="([^"]*)"', svg).group(1))
    assert label == f"客户按小区：{HOSTILE} 3，万科 12"
    assert "<td>万科</td><td>12</td>" in figure  # the numbers as a table as well
    columns = charts.columns("每月新增客户", [(f"2025-{m:02d}", m * 10) for m in range(1, 13)])
    assert "kehu-chart--wide" in columns and "<td>2025-12</td><td>120</td>" in columns
    # the numbers above 24 columns show from the width where the widest one fits its column
    months = [f"{2025 + m // 12}-{1 + m % 12:02d}" for m in range(24)]
    assert "kehu-chart--values-from-640" in charts.columns("月", [(m, 10 + n) for n, m in enumerate(months)])
    assert "kehu-chart--values-from-960" in charts.columns("月", [(m, 1000 + n) for n, m in enumerate(months)])


CHART_TEXT = """[...document.querySelectorAll('.kehu-chart svg')].flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(t => t.getBoundingClientRect().width > 0).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, size: parseFloat(getComputedStyle(t).fontSize), height: r.height,
            outside: Math.max(box.left - r.left, r.right - box.right, box.top - r.top, r.bottom - box.bottom)};
  });
})"""


@pytest.mark.parametrize("width", [1280, 390])
def test_chart_labels_are_legible_and_inside_their_chart(demo_site, width):
    _, url = demo_site
    with Browser(width, 900, mobile=width < 500) as browser:
        browser.open(url)
        texts = browser.js(CHART_TEXT)
        assert len(texts) > 60, texts
        small = [t for t in texts if t["size"] < 12 or t["height"] < 12]
        assert not small, small
        outside = [t for t in texts if t["outside"] > 0.5]
        assert not outside, outside
        months = [t["text"] for t in texts if re.fullmatch(r"\d{4}-\d{2}", t["text"])]
        assert len(months) >= 3 and months[-1] == "2026-11", months  # the latest month is always labelled


# --- the phone layout -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "customers/C2024-0007/", "staff/liuyang/", "customers/2025/", "pool/"])
def test_no_sideways_scrolling_on_a_phone(demo_site, path):
    _, url = demo_site
    with Browser(*PHONE, mobile=True) as browser:
        browser.open(url + path)
        browser.wait("document.fonts.status === 'loaded'")
        width, inner = browser.js("[document.scrollingElement.scrollWidth, innerWidth]")
        assert width <= inner, (path, width, inner)


def test_the_header_search_leaves_the_title_readable_on_a_phone(demo_site):
    _, url = demo_site
    with Browser(*PHONE, mobile=True) as browser:
        browser.open(f"{url}customers/C2024-0007/")
        hit = browser.js("(() => { const r = document.querySelector('.md-header__title').getBoundingClientRect();"
                         " const e = document.elementFromPoint(r.left + 20, r.top + r.height / 2);"
                         " return [r.width, !!(e && e.closest('.md-header__title'))]; })()")
        assert hit[0] > 150 and hit[1], hit


def test_a_year_list_sorts_and_filters_in_the_browser(demo_site):
    """customers/2025/ with the shared table script: a choice box per 分级, 阶段, 客户经理 and
    小区, a text box, sort buttons, the live count."""
    out, url = demo_site
    rows = re.findall(r"<tr>\s*<td><a href=\"../C2025-\d{4}/\">C2025-\d{4}</a></td>(.*?)</tr>", page(out, "customers/2025"), re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    lost = sum(1 for c in cells if c[2] == "流失")
    assert len(rows) > 50 and 0 < lost < len(rows)
    with Browser(1280, 900) as browser:
        browser.open(f"{url}customers/2025/")
        browser.wait("!!document.querySelector('.kehu-table__count')")
        assert browser.js("[...document.querySelectorAll('.kehu-table__filter span')].map(s => s.textContent)") == [
            "分级", "阶段", "客户经理", "小区"]
        assert browser.js("document.querySelector('.kehu-table__count').textContent") == f"显示 {len(rows)} / {len(rows)} 行"
        # the seven columns fit a 1280 px screen (no scrolling inside the table's box)
        assert browser.js("(t => t.scrollWidth <= t.clientWidth)(document.querySelector('.kehu-table table'))")
        browser.js("(() => { const s = document.querySelector('select[data-column=\"3\"]'); s.value = '流失';"
                   " s.dispatchEvent(new Event('change')); })()")
        assert browser.js("document.querySelector('.kehu-table__count').textContent") == f"显示 {lost} / {len(rows)} 行"
        stages = browser.js("[...document.querySelectorAll('.kehu-table tbody tr')].map(r => r.cells[3].textContent)")
        assert stages == ["流失"] * lost
        browser.click(".kehu-table th:nth-child(7) button")
        browser.click(".kehu-table th:nth-child(7) button")  # 登记日期, newest first
        assert browser.js("document.querySelector('.kehu-table th:nth-child(7)').getAttribute('aria-sort')") == "descending"
        dates = browser.js("[...document.querySelectorAll('.kehu-table tbody tr')].map(r => r.cells[6].textContent)")
        newest_lost = sorted((c[5] for c in cells if c[2] == "流失"), reverse=True)
        assert dates == newest_lost
        name = cells[0][0]
        browser.js("document.querySelector('select[data-column=\"3\"]').value = ''")
        browser.click(".kehu-table__search")
        browser.type(name)
        shown = browser.js("[...document.querySelectorAll('.kehu-table tbody tr')].map(r => r.cells[1].textContent)")
        assert shown and all(name in s for s in shown), shown


def test_long_lists_are_split_so_that_each_page_stays_light(tmp_path, monkeypatch):
    """Above LIST_ROWS (2,000: a year of the 20,000-customer bench holds 11,000) a year's list
    is a page per month, and a staff page lists the customers still in play, the lost ones
    counted. The demo records with the limit lowered to 40."""
    from datetime import date

    from kehu.check import Settings, run_check
    from kehu.site import pages

    monkeypatch.setattr(pages, "LIST_ROWS", 40)
    result = run_check(Settings(PROJECT, date(2026, 11, 20)))
    pages.generate(result.repo, result.findings, tmp_path, False)
    year = (tmp_path / "customers" / "2025.md").read_text(encoding="utf-8")
    months = re.findall(r"\| \[2025 年 (\d+) 月\]\(2025-(\d\d)\.md\) \| (\d+) \|", year)
    assert len(months) == 12 and "kehu-table" not in year
    listed = 0
    for month, padded, count in months:
        text = (tmp_path / "customers" / f"2025-{padded}.md").read_text(encoding="utf-8")
        rows = re.findall(r"^\| \[C2025-\d{4}\]", text, re.M)
        assert int(month) == int(padded) and len(rows) == int(count) <= 40
        assert '<div class="kehu-table" data-filters="2,3,4,5" markdown>' in text
        listed += len(rows)
    assert listed == len(list((PROJECT / "records" / "customers" / "2025").glob("*.yaml")))
    staff = (tmp_path / "staff" / "lina.md").read_text(encoding="utf-8")
    owned = staff.split("## 名下客户", 1)[1]
    assert "| 流失 |" not in owned and "| 保修 |" in owned
    assert re.search(r"另有已流失客户 \*\*\d+\*\* 位", owned)
