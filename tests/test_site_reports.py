"""The site's report pages (kehu.site.reports), built by the real `kehu build`: the archive of
12 weeks and 12 months, the links between periods, the figures beside the previous period's
(equal to `kehu report --format json` for that period), the charts, masking, and the pages in
headless chromium."""

from __future__ import annotations

import functools
import http.server
import json
import posixpath
import re
import subprocess
import sys
import threading
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest

from chromium import CHROMIUM, Browser
from conftest import PROJECT, kehu
from kehu.domain import add_months, calendar_month, last_week, presented_month
from kehu.stats import SUMMARY_LABELS

TODAY = date(2026, 11, 20)


def build(root: Path, out: Path, *extra: str) -> Path:
    run = subprocess.run([sys.executable, "-m", "kehu", "build", "--repo", str(root), "--today", TODAY.isoformat(),
                          "--out", str(out), *extra], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory) -> Path:
    return build(PROJECT, tmp_path_factory.mktemp("site") / "demo")


def page(site: Path, address: str) -> str:
    return (site / address / "index.html").read_text(encoding="utf-8")


def text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("¶", "").strip()


def heading(html: str) -> str:
    return text(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1))


def links(html: str, rel: str) -> list[str]:
    return re.findall(rf'<a href="([^"]+)" rel="{rel}">', html)


def figures(html: str) -> dict[str, list[str]]:
    """The headline table: label -> the other cells' text."""
    table = re.search(r'<table data-kehu="figures">(.*?)</table>', html, re.S).group(1)
    rows = [[text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    return {row[0]: row[1:] for row in rows if row}


def expected_weeks() -> list:
    weeks, period = [], last_week(TODAY)
    for _ in range(12):
        weeks.append(period)
        period = last_week(period.end.date() - timedelta(days=7))
    return weeks


def expected_months() -> list:
    newest = presented_month(TODAY)
    return [newest] + [calendar_month(add_months(newest.start.date(), -back)) for back in range(1, 12)]


def archive_address(period) -> str:
    return f"reports/weekly/{period.end:%Y-%m-%d}" if period.kind == "weekly" else f"reports/monthly/{period.start:%Y-%m}"


def test_the_archive_holds_12_weeks_and_12_months_with_their_titles_newest_first(demo_site):
    weeks, months = expected_weeks(), expected_months()
    assert weeks[0].title == "周报 2026-11-13 18:00 至 2026-11-20 18:00" and weeks[-1].end.date() == date(2026, 9, 4)
    assert [m.title for m in (months[0], months[-1])] == ["月报 2026 年 10 月", "月报 2025 年 11 月"]
    for period in weeks + months:
        assert heading(page(demo_site, archive_address(period))) == period.title
    assert sorted(p.name for p in (demo_site / "reports" / "weekly").iterdir() if p.is_dir()) == sorted(
        f"{w.end:%Y-%m-%d}" for w in weeks)  # nothing older is left lying about
    assert len([p for p in (demo_site / "reports" / "monthly").iterdir() if p.is_dir()]) == 12
    # where the site linked the week's and the month's report before: the newest of each
    assert heading(page(demo_site, "reports/weekly")) == weeks[0].title
    assert heading(page(demo_site, "reports/monthly")) == months[0].title
    index = page(demo_site, "reports")
    listed = [href.strip("/") for href in re.findall(r'<a href="((?:weekly|monthly)/[^"/]+/)"', index)]
    assert listed == [archive_address(p).removeprefix("reports/") for p in weeks + months]


def test_prev_and_next_links_walk_the_whole_archive_both_ways(demo_site):
    for periods in (expected_weeks(), expected_months()):
        addresses = [archive_address(p) for p in periods]
        here = addresses[0]
        assert links(page(demo_site, here), "next") == []  # the newest
        for older in addresses[1:]:  # follow 上一期 from the newest to the oldest
            (target,) = links(page(demo_site, here), "prev")
            here = posixpath.normpath(posixpath.join(here, target))
            assert here == older and (demo_site / here / "index.html").is_file()
        assert links(page(demo_site, here), "prev") == [] and "不在存档中" in page(demo_site, here)
        for newer in reversed(addresses[:-1]):  # and 下一期 back
            (target,) = links(page(demo_site, here), "next")
            here = posixpath.normpath(posixpath.join(here, target))
            assert here == newer
    latest = page(demo_site, "reports/weekly")  # reports/weekly/ itself, one folder up from the archive
    assert posixpath.normpath(posixpath.join("reports/weekly", links(latest, "prev")[0])) == "reports/weekly/2026-11-13"


def report_summary(*args: str, today: str = "2026-11-20") -> dict:
    code, out, err = kehu("report", *args, "--format", "json", repo=str(PROJECT), today=today)  # (a Path has .root: "/")
    assert code == 0, err
    return json.loads(out)["summary"]


def shown(value) -> str:
    return "—" if value is None else str(value)


def test_each_figure_beside_the_previous_period_is_what_kehu_report_says_for_it(demo_site):
    week = figures(page(demo_site, "reports/weekly/2026-11-13"))
    this_week, last = report_summary("weekly", today="2026-11-13"), report_summary("weekly", today="2026-11-06")
    month = figures(page(demo_site, "reports/monthly/2026-10"))
    october, september, a_year_ago = (report_summary("monthly", "--month", m) for m in ("2026-10", "2026-09", "2025-10"))
    assert set(week) == set(SUMMARY_LABELS.values()) == set(month)
    changed = 0
    for key, label in SUMMARY_LABELS.items():
        assert week[label][:2] == [shown(this_week[key]), shown(last[key])], label
        assert [month[label][i] for i in (0, 1, 3)] == [shown(october[key]), shown(september[key]), shown(a_year_ago[key])]
        for row, current, base in ((week[label], this_week[key], last[key]), (month[label], october[key], september[key])):
            change = row[2]
            if current is None or base is None:
                assert change == "—"
            elif current == base:
                assert change == "持平"
            else:  # the direction in words as well as by arrow and colour
                changed += 1
                up = current > base
                assert change.startswith("▲" if up else "▼") and (("增加" in change or "提高" in change) if up else
                                                                  ("减少" in change or "降低" in change)), change
    assert changed >= 6
    assert "▼ 减少 4（−50%）" in week["新增客户（位）"][2]  # 4 against 8


def test_charts_are_inline_svg_with_text_alternatives(demo_site):
    for address in ("reports/weekly/2026-11-13", "reports/monthly/2026-10", "reports"):
        html = page(demo_site, address)
        charts = re.findall(r'<figure class="kehu-chart[^"]*"[^>]*>(.*?)</figure>', html, re.S)
        assert len(charts) >= 3, address
        for chart in charts:
            svg = re.search(r'<svg role="img" aria-label="([^"]+)"', chart)
            assert svg and svg.group(1).strip(), chart[:200]
            assert re.search(r"<figcaption>[^<]+</figcaption>", chart)
            for rect in re.findall(r"<rect [^>]*>(?!<title>)", chart):
                assert 'height="12"' in rect and 'y="6"' in rect, rect  # only the legend's swatches lack a title
    compare = re.search(r'<figure class="kehu-chart kehu-compare".*?</figure>', page(demo_site, "reports/weekly/2026-11-13"),
                        re.S).group(0)
    assert "<desc>新增客户（位）：本周 4，上周 8；" in compare  # the comparison, told in words
    assert "本周与上周" in compare
    week = page(demo_site, "reports/weekly/2026-11-13")
    # the tables are there, folded under the charts
    assert week.index("kehu-compare") < week.index('<details class="kehu-table">')
    assert "<summary>客户投诉记录表（2 行）</summary>" in week and "<summary>满意度结果（7 行）</summary>" in week


HOSTILE_STAFF = '<img src=x onerror="window.kehuPwned=1">'
HOSTILE_CUSTOMER = '<script>window.kehuPwned=2</script>'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    """A repository whose report weeks hold a 机密 customer (甄秘密) with a complaint, a
    satisfaction survey, a loss and a release to the pool; a 绝密 one (柏绝密); and a staff member
    and a customer named as markup."""
    from conftest import STAFF, Repo

    root = tmp_path_factory.mktemp("hostile") / "company"
    r = Repo(root)
    r.write("kehu.yaml", "site_name: 测试装饰公司\n")
    for staff_id, (name, role, dept) in STAFF.items():
        r.staff(staff_id, name, role, dept)
    (root / "records/staff/evil.yaml").write_text(
        f"id: evil\nname: '{HOSTILE_STAFF}'\nrole: 客户经理\ndepartment: 市场拓展部\nactive: true\n", encoding="utf-8")
    r.write("records/policy.yaml", "reclaim_after_days: 60\n")
    r.customer("C2026-0001", name=f"'{HOSTILE_CUSTOMER}'", phone="13916052231", owner="evil", registered_at="2026-11-16 10:00:00")
    r.customer("C2026-0002", name="甄秘密", phone="13916052232", owner="pool", registered_at="2026-11-16 11:00:00",
               registered_by="liuyang", extra="confidentiality: 机密\nowner_history:\n  - {owner: pool, from: 2026-11-18, "
               "by: sunmin, reason: 甄秘密不接电话}\n")
    r.customer("C2026-0003", name="柏绝密", phone="13916052233", owner="liuyang", registered_at="2026-11-16 12:00:00",
               extra="confidentiality: 绝密\n")
    # each customer's own visit and complaint name it (a secret one's must not show)
    for number, customer, staff, name in ((1, "C2026-0001", "evil", HOSTILE_CUSTOMER), (2, "C2026-0002", "liuyang", "甄秘密"),
                                          (3, "C2026-0003", "liuyang", "柏绝密")):
        r.write(f"records/visits/2026/11/V2026-00000{number}.yaml",
                f"id: V2026-00000{number}\ncustomer: {customer}\nat: 2026-11-17 10:00:00\nstaff: {staff}\ntype: 电话\n"
                f"summary: '{name}嫌贵不做了'\nsatisfaction: 2\n")
        r.write(f"records/complaints/2026/T2026-000{number}.yaml",
                f"id: T2026-000{number}\ncustomer: {customer}\nreceived_at: 2026-11-17 09:00:00\nchannel: 电话\n"
                f"category: 工期\ndescription: '{name}投诉工期拖延'\nhandler: zhouhui\nstatus: 已关闭\n"
                f"investigation_started_at: 2026-11-17 10:00:00\nreplied_at: 2026-11-17 11:00:00\n"
                f"resolved_at: 2026-11-18 11:00:00\nresolution: '{name}已获赔偿'\n"
                f"follow_up: {{at: 2026-11-19 10:00:00, by: zhouhui, satisfied: false, comment: '{name}仍不满意'}}\n")
    for customer in ("C2026-0001", "C2026-0002"):  # lost, with what the last visit said
        path = root / f"records/customers/2026/{customer}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("stage: 咨询", "stage: 流失"), encoding="utf-8")
    return build(root, root.parent / "site")


def test_no_report_page_shows_a_secret_customer_or_unescaped_markup(hostile_site):
    pages = sorted((hostile_site / "reports").rglob("*.html"))
    assert len(pages) == 1 + 2 + 12 + 12  # the index, the two newest, the archive
    week = page(hostile_site, "reports/weekly/2026-11-20")
    # the rows are there: the 机密 customer counted and shown by id, the hostile ones as text
    assert "C2026-0002" in week and "收回公海的客户（1 行）" in week and "（机密）" in week
    assert "&lt;script&gt;window.kehuPwned=2&lt;/script&gt;" in week
    assert "&lt;img src=x onerror=" in week
    for path in pages:
        html = path.read_text(encoding="utf-8")
        assert "甄秘密" not in html and "柏绝密" not in html and "C2026-0003" not in html and "T2026-0003" not in html, path
        assert "kehuPwned=2</script>" not in html and "<img src=x" not in html, path
        assert "1391605" not in html, path  # no phone, masked or not: the reports show none of these


def console_problems(browser: Browser) -> list:
    browser.js("0")  # collect what arrived
    bad = []
    for event in browser.events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown" or (method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert")):
            bad.append(params)
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            bad.append(params["entry"])
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            bad.append(params["response"]["url"])
        elif method == "Network.loadingFailed" and not params.get("canceled"):
            bad.append(params)
    return bad


def serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
@pytest.mark.parametrize("width", [1280, 390])
def test_report_pages_render_in_chromium_without_console_errors(demo_site, hostile_site, width):
    for site, addresses in ((demo_site, ["reports/", "reports/weekly/2026-11-13/", "reports/monthly/2026-10/"]),
                            (hostile_site, ["reports/weekly/2026-11-20/"])):
        server, url = serve(site)
        try:
            with Browser(width=width, height=900, mobile=width < 500) as browser:
                browser.call("Log.enable", session=True)
                for address in addresses:
                    browser.open(url + address)
                    assert console_problems(browser) == [], address
                    sizes = browser.js("Array.from(document.querySelectorAll('figure.kehu-chart svg'))"
                                       ".map(s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height])")
                    assert len(sizes) >= 3 and all(w > 100 and h > 20 for w, h in sizes), sizes
                    # nothing sideways on a phone: the page is no wider than the screen
                    assert browser.js("document.documentElement.scrollWidth") <= width + 1
                    assert browser.js("window.kehuPwned === undefined")
                    if "weekly" in address:  # a folded table opens on a click
                        folded = "document.querySelector('details.kehu-table table').checkVisibility()"
                        assert browser.js(folded) is False
                        browser.click("details.kehu-table summary")
                        browser.wait(folded)
                browser.open(url + "reports/weekly/2026-11-13/")
                browser.click('a[rel="prev"]')  # Material's instant navigation, as a person clicks
                browser.wait("document.querySelector('h1').textContent.indexOf('2026-11-06 18:00') > 0")
                assert console_problems(browser) == []
        finally:
            server.shutdown()
