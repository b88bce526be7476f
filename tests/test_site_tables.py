"""site/overrides/assets/kehu-tables.js in real headless chromium: the wrapped lists
(<div class="kehu-table" data-filters="…">) get a text filter, column <select>s, sort buttons
and a live row count, fast on 5,000 rows. The page here is a plain HTML file holding the
script as Material's pages do (after the theme's bundle); tests/test_site_problems.py drives
it on a real built page."""

from __future__ import annotations

import html
import json

import pytest

from chromium import CHROMIUM, Browser
from conftest import PROJECT

SCRIPT = PROJECT / "site/overrides/assets/kehu-tables.js"
HOSTILE = "<img src=x onerror=document.title='pwned'>"

pytestmark = pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")


def page(tmp_path, rows: int, instant: bool = False):
    """A page with one wrapped table of `rows` rows; columns 编号, 规则, 负责人, 天数, 期限."""
    owners = ["刘洋", "王丽", "陈静", HOSTILE]
    lines = []
    for n in range(rows):
        due = f"2026-{(n % 12) + 1:02d}-{(n % 28) + 1:02d}" if n % 5 else ""
        lines.append(f"<tr><td>C2026-{n:05d}</td><td>K{201 + n % 3}</td><td>{html.escape(owners[n % 4])}</td>"
                     f"<td>{n % 97}</td><td>{due}</td></tr>")
    # Material's document$ replays the current page to each subscriber and again after each
    # instant navigation; a stand-in that does the same
    stub = ("<script>window.document$ = {subscribers: [], subscribe: function (f) { this.subscribers.push(f); f(); },"
            " next: function () { this.subscribers.forEach(function (f) { f(); }); }};</script>") if instant else ""
    text = f"""<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>表</title>{stub}</head><body>
<article class="md-typeset"><div class="kehu-table" data-filters="1,2,9" markdown>
<table><thead><tr><th>编号</th><th>规则</th><th>负责人</th><th>天数</th><th>期限</th></tr></thead>
<tbody>{''.join(lines)}</tbody></table></div></article>
<script src="{SCRIPT.as_uri()}"></script></body></html>"""
    path = tmp_path / "table.html"
    path.write_text(text, encoding="utf-8")
    return path.as_uri()


def count(b: Browser) -> str:
    return b.js("document.querySelector('.kehu-table [role=status]').textContent")


def column(b: Browser, index: int, limit: int = 50) -> list[str]:
    return b.js(f"Array.from(document.querySelectorAll('.kehu-table tbody tr')).slice(0, {limit})"
                f".map(function (r) {{ return r.cells[{index}].textContent; }})")


def test_text_filter_select_filters_and_count(tmp_path):
    with Browser() as b:
        b.open(page(tmp_path, 400))
        assert count(b) == "显示 400 / 400 行"
        # a select for columns 1 and 2 only (9 is out of range), options = distinct cell texts
        options = b.js("Array.from(document.querySelectorAll('.kehu-table select')).map(function (s) {"
                       " return [s.previousSibling.textContent, Array.from(s.options).map(function (o) { return o.textContent; })]; })")
        assert [name for name, _ in options] == ["规则", "负责人"]
        assert options[0][1] == ["全部", "K201", "K202", "K203"]
        assert sorted(options[1][1][1:]) == sorted(["刘洋", "王丽", "陈静", HOSTILE])  # the hostile text is an option's text
        b.click(".kehu-table__search")
        b.type("c2026-0001")
        assert count(b) == "显示 10 / 400 行"  # C2026-00010 … 00019, case-insensitive
        b.js("var s = document.querySelector('.kehu-table__search'); s.value = ''; s.dispatchEvent(new Event('input'))")
        b.js("var s = document.querySelector('.kehu-table select[data-column=\"2\"]'); s.value = '王丽';"
             " s.dispatchEvent(new Event('change'))")
        assert count(b) == "显示 100 / 400 行"
        assert set(column(b, 2)) == {"王丽"}
        b.js("var s = document.querySelector('.kehu-table select[data-column=\"1\"]'); s.value = 'K202';"
             " s.dispatchEvent(new Event('change'))")
        # rows n with n % 4 == 1 and n % 3 == 1: n % 12 == 1
        assert count(b) == "显示 34 / 400 行"
        assert b.js("document.title") == "表"  # the hostile owner stayed text


def test_sort_buttons_numbers_dates_and_empty_cells_last(tmp_path):
    with Browser() as b:
        b.open(page(tmp_path, 200))
        assert b.js("Array.from(document.querySelectorAll('.kehu-table th')).every(function (th) {"
                    " return th.getAttribute('aria-sort') === 'none' && th.querySelector('button.kehu-table__sort'); })")
        b.click(".kehu-table th:nth-child(4) button")
        days = [int(d) for d in column(b, 3, 200)]
        assert days == sorted(days) and days[-1] == 96  # as numbers: 96 after 10
        assert b.js("document.querySelector('.kehu-table th:nth-child(4)').getAttribute('aria-sort')") == "ascending"
        b.click(".kehu-table th:nth-child(4) button")
        assert [int(d) for d in column(b, 3, 200)] == sorted(days, reverse=True)
        assert b.js("document.querySelector('.kehu-table th:nth-child(4)').getAttribute('aria-sort')") == "descending"
        b.click(".kehu-table th:nth-child(5) button")
        dues = column(b, 4, 200)
        filled = [d for d in dues if d]
        assert filled == sorted(filled) and dues[len(filled):] == [""] * (len(dues) - len(filled))
        assert b.js("document.querySelector('.kehu-table th:nth-child(4)').getAttribute('aria-sort')") == "none"
        # sorting keeps the filter
        b.js("var s = document.querySelector('.kehu-table select[data-column=\"2\"]'); s.value = '陈静';"
             " s.dispatchEvent(new Event('change'))")
        b.click(".kehu-table th:nth-child(1) button")
        assert set(column(b, 2)) == {"陈静"} and count(b) == "显示 50 / 200 行"


def test_filter_from_the_address(tmp_path):
    with Browser() as b:
        b.open(page(tmp_path, 40) + "?" + "负责人=%E7%8E%8B%E4%B8%BD")  # ?负责人=王丽
        assert count(b) == "显示 10 / 40 行"
        assert b.js("document.querySelector('.kehu-table select[data-column=\"2\"]').value") == "王丽"


def test_instant_navigation_enhances_once(tmp_path):
    with Browser() as b:
        b.open(page(tmp_path, 20, instant=True))
        b.js("document$.next(); document$.next()")
        assert b.js("document.querySelectorAll('.kehu-table__controls').length") == 1
        assert count(b) == "显示 20 / 20 行"


def test_5000_rows_filter_in_under_100_ms(tmp_path):
    with Browser() as b:
        b.open(page(tmp_path, 5000))
        assert count(b) == "显示 5000 / 5000 行"
        # the whole sequence three times, the best time of each step: the machine is shared
        timings = b.js("""(function () {
            var box = document.querySelector('.kehu-table__search');
            var owner = document.querySelector('.kehu-table select[data-column="2"]');
            function timed(change) {
              var t = performance.now(); change(); document.body.offsetHeight;  /* with the layout it causes */
              return performance.now() - t;
            }
            function type(q) { return timed(function () { box.value = q; box.dispatchEvent(new Event('input')); }); }
            function pick(v) { return timed(function () { owner.value = v; owner.dispatchEvent(new Event('change')); }); }
            var best = null;
            for (var round = 0; round < 3; round++) {
              var out = [type('k20'), type('c2026-04'), type('王'), type(''), type('zzz'), type(''), pick('刘洋'), pick('')];
              best = best ? best.map(function (t, i) { return Math.min(t, out[i]); }) : out;
            }
            pick('刘洋');
            return best; })()""")
        print("filter ms:", json.dumps([round(t, 1) for t in timings]))
        assert max(timings) < 100, timings
        assert count(b) == "显示 1250 / 5000 行"


def test_long_lists_lay_out_200_rows_at_a_time(tmp_path):
    listed = "document.querySelectorAll('.kehu-table tbody tr').length"
    with Browser() as b:
        b.open(page(tmp_path, 500))
        widths = b.js("Array.from(document.querySelectorAll('.kehu-table th')).map(function (th) { return th.style.width; })")
        assert all(w.endswith("px") for w in widths)  # the full table's column widths, kept
        assert count(b) == "显示 500 / 500 行" and b.js(listed) == 200
        assert b.js("document.querySelector('.kehu-table__more').textContent") == "已列出前 200 行，再列出 200 行"
        b.click(".kehu-table__more")
        assert b.js(listed) == 400
        assert b.js("document.querySelector('.kehu-table__more').textContent") == "已列出前 400 行，再列出 100 行"
        b.click(".kehu-table__more")
        assert b.js(listed) == 500 and b.js("document.querySelector('.kehu-table__more').hidden")
        b.click(".kehu-table th:nth-child(4) button")  # sorting lists the first 200 of the new order
        assert b.js(listed) == 200 and column(b, 3, 1) == ["0"]
        b.js("var s = document.querySelector('.kehu-table select[data-column=\"2\"]'); s.value = '刘洋';"
             " s.dispatchEvent(new Event('change'))")
        assert count(b) == "显示 125 / 500 行" and b.js(listed) == 125


def test_column_widths_follow_a_new_window_width(tmp_path):
    with Browser(width=1280) as b:
        b.open(page(tmp_path, 300))
        wide = b.js("document.querySelector('.kehu-table table').getBoundingClientRect().width")
        b.call("Emulation.setDeviceMetricsOverride", session=True, width=420, height=800, deviceScaleFactor=1, mobile=False)
        b.wait("document.querySelector('.kehu-table table').style.width !== '' && "
               f"document.querySelector('.kehu-table table').getBoundingClientRect().width < {wide}")
        assert b.js("document.querySelector('.kehu-table table').style.tableLayout") == "fixed"
