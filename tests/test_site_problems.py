"""The 问题 page, the staff pages' 问题 section, the 逾期与待办 rows and the dashboard's
需要马上处理 panel (kehu.site.problems), on real builds: the demo built once for the module,
and a small repository with 机密, 绝密 and hostile customers. Filters run in real headless
chromium (tests/chromium.py)."""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from chromium import CHROMIUM, Browser, BrowserError
from conftest import PROJECT, TODAY, kehu

HEAD = ["规则", "级别", "记录", "客户", "负责人", "部门", "期限", "说明"]


def serve(folder: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def build(root: Path, out: Path) -> Path:
    run = subprocess.run([sys.executable, "-m", "kehu", "build", "--repo", str(root), "--today", TODAY.isoformat(),
                          "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = build(PROJECT, tmp_path_factory.mktemp("site") / "demo")
    server, url = serve(out)
    yield out, url
    server.shutdown()


def text_of(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def tables(page: str) -> list[list[list[str]]]:
    """Each <table> of an HTML page as rows of cell texts (header row first)."""
    found = []
    for table in re.findall(r"<table>(.*?)</table>", page, re.S):
        rows = [[text_of(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)]
                for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
        found.append(rows)
    return found


def problem_rows(page: str) -> list[dict]:
    """The rows of the wrapped problem tables of a page (not its other wrapped lists, such as a
    staff page's 名下客户), as {heading: cell text}."""
    rows = []
    for part in page.split('<div class="kehu-table kehu-problems"')[1:]:
        table = tables(part.split("</table>", 1)[0] + "</table>")[0]
        assert table[0] == HEAD
        rows += [dict(zip(HEAD, row)) for row in table[1:]]
    return rows


def read(out: Path, page: str) -> str:
    return (out / page).read_text(encoding="utf-8")


def expected_open_findings(root: Path) -> Counter:
    """(code, record or file) of every open finding `kehu check --format json` reports that the
    masked site may show: not about a 绝密 customer (its visits, complaints, appeals)."""
    from kehu.check import Settings, run_check
    from kehu.domain import Visibility

    code, out, err = kehu("check", "--format", "json", repo=str(root))  # a Path has its own .root
    assert code in (0, 1), err
    repo = run_check(Settings(root, TODAY)).repo
    view = Visibility(repo)
    customers = repo.ids("customer")
    about = {rid: r.data.get("customer") for kind in ("visit", "complaint", "appeal") for rid, r in repo.ids(kind).items()}
    expected = Counter()
    for f in json.loads(out)["findings"]:
        if f["excepted"] or f["state"] == "done_late":
            continue
        customer = f["record"] if f["record"] in customers else about.get(f["record"])
        if customer is not None and not view.shows(customer) or f["record"] is not None and not view.shows(f["record"]):
            continue
        expected[(f["code"], f["record"] or f["file"])] += 1
    return expected


# --- the demo ------------------------------------------------------------------------------

def test_every_open_visible_finding_is_on_the_problems_page(demo):
    out, _ = demo
    rows = problem_rows(read(out, "problems/index.html"))
    expected = expected_open_findings(PROJECT)
    assert Counter((r["规则"], r["记录"]) for r in rows) == expected
    codes = {code for code, _ in expected}
    assert {"K301", "K203", "K303"} <= codes  # the ones no list page showed before
    k301 = next(r for r in rows if r["规则"] == "K301")
    assert k301["记录"] == "C2026-0139" and k301["级别"] == "错误" and k301["客户"] and k301["负责人"]
    assert "撞单" in k301["说明"]
    assert all(r["级别"] in ("错误", "警告") for r in rows)
    # a due date where the duty has one: the overdue 公海 clocks and complaint steps
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["期限"]) for r in rows if r["规则"] in ("K401", "K402", "K502", "K503"))
    # findings about no customer are listed too: a staff record, files that are not YAML
    assert any(r["记录"] == "zhoujie" and r["规则"] == "K302" for r in rows)
    assert any(r["记录"].endswith("C2026-0169.yaml") for r in rows)
    print(f"problems/index.html: {len(rows)} rows, {(out / 'problems/index.html').stat().st_size:,} bytes")


def test_counts_per_person_match_the_rows_and_the_staff_pages(demo):
    out, _ = demo
    page = read(out, "problems/index.html")
    rows = problem_rows(page)
    by_owner = Counter(r["负责人"] for r in rows)
    summary = next(t for t in tables(page) if t[0][0] == "负责人")
    assert summary[0] == ["负责人", "部门", "错误", "警告", "已过期限", "合计"]
    counted = {row[0]: int(row[5]) for row in summary[1:]}
    assert counted == {("（未指定）" if owner == "—" else owner): n for owner, n in by_owner.items()}
    for row in summary[1:]:
        assert int(row[2]) + int(row[3]) == int(row[5])
    # each staff page lists exactly that person's rows, from the same source
    staff_index = tables(read(out, "staff/index.html"))[0]
    names = {}
    for staff_page in (out / "staff").glob("*/index.html"):
        text = staff_page.read_text(encoding="utf-8")
        name = text_of(re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)).split("（")[0]
        names[name] = mine = problem_rows(text)
        assert Counter(r["记录"] for r in mine) == Counter(r["记录"] for r in rows if r["负责人"] == name), name
    assert {n for n, mine in names.items() if mine} == {o for o in by_owner if o in names}
    problem_column = staff_index[0].index("问题")
    assert {row[0].replace("（已离职）", ""): int(row[problem_column]) for row in staff_index[1:]} == \
        {n: by_owner.get(n, 0) for n in names}


def test_overdue_rows_carry_name_owner_and_due_date(demo):
    out, _ = demo
    rows = problem_rows(read(out, "overdue.html" if (out / "overdue.html").exists() else "overdue/index.html"))
    reclaim = [r for r in rows if r["规则"] == "K401"]
    assert len(reclaim) == 3
    for r in reclaim:
        assert r["客户"] and r["负责人"] not in ("", "—") and re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["期限"]), r
    c0122 = next(r for r in reclaim if r["记录"] == "C2026-0122")
    assert (c0122["客户"], c0122["负责人"], c0122["期限"]) == ("吴嘉欣", "李娜", "2026-11-10")


def test_dashboard_panel_comes_from_kehu_todo(demo):
    out, _ = demo
    page = read(out, "index.html")
    panel = page.split('class="kehu-urgent"', 1)[1].split("</div>", 1)[0]
    assert page.index('class="kehu-urgent"') < page.index('class="kehu-chart"')  # at the top
    code, listed, err = kehu("todo", "--format", "json", repo=str(PROJECT))
    assert code in (0, 1), err
    today = TODAY.isoformat()
    urgent = [i for p in json.loads(listed)["people"] for i in p["items"]
              if i["due"] == today or (i["urgency"] == "overdue" and i["kind"] in ("reclaim", "complaint"))]
    rows = tables(panel + "</table>")[0]
    assert rows[0] == ["期限", "事项", "客户", "姓名", "负责人", "说明"]
    assert Counter(r[2] for r in rows[1:]) == Counter(i["customer"] for i in urgent)
    assert ["C2026-0122", "吴嘉欣", "李娜"] == rows[1][2:5]  # the most overdue first
    assert 'href="problems/?%E8%A7%84%E5%88%99=K401"' in panel and 'href="problems/"' in panel
    assert 'href="customers/C2026-0122/"' in panel and 'href="staff/lina/"' in panel


def settled(b: Browser, condition: str, seconds: float = 20):
    """Wait for `condition` across a navigation (a click may load a new document)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return b.wait(condition, timeout=max(0.1, deadline - time.monotonic()))
        except BrowserError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
def test_filters_work_in_a_real_browser(demo):
    out, url = demo
    rows = problem_rows(read(out, "problems/index.html"))
    total = len(rows)
    status = "document.querySelector('.kehu-table [role=status]').textContent"
    cells = ("Array.from(document.querySelectorAll('.kehu-table tbody tr')).map(function (r) {"
             " return r.cells[%d].textContent.trim(); })")

    def pick(column: int, value: str):
        b.js(f"var s = document.querySelector('.kehu-table select[data-column=\"{column}\"]'); s.value = {json.dumps(value)};"
             " s.dispatchEvent(new Event('change'))")

    with Browser() as b:
        b.open(f"{url}problems/")
        b.wait("!!document.querySelector('.kehu-table [role=status]')")
        assert b.js(status) == f"显示 {total} / {total} 行"
        selects = b.js("Array.from(document.querySelectorAll('.kehu-table select')).map(function (s) {"
                       " return s.previousSibling.textContent; })")
        assert selects == ["规则", "级别", "负责人", "部门"]
        for column, heading, value in ((4, "负责人", "周杰"), (0, "规则", "K203"), (1, "级别", "警告"), (5, "部门", "设计部")):
            pick(column, value)
            want = sum(r[heading] == value for r in rows)
            assert b.js(status) == f"显示 {want} / {total} 行", heading
            assert set(b.js(cells % column)) == {value}
            pick(column, "")
        pick(4, "徐磊")
        pick(0, "K203")
        assert b.js(status) == f"显示 {sum(r['负责人'] == '徐磊' and r['规则'] == 'K203' for r in rows)} / {total} 行"
        pick(4, "")
        pick(0, "")
        b.click(".kehu-table__search")
        b.type("撞单")
        assert b.js(status) == f"显示 1 / {total} 行"
        # a count in the 按负责人 table opens the list filtered to that person
        b.click('a[href$="?%E8%B4%9F%E8%B4%A3%E4%BA%BA=%E5%91%A8%E6%9D%B0"]')
        settled(b, f"document.querySelector('.kehu-table [role=status]').textContent === "
                   f"'显示 {sum(r['负责人'] == '周杰' for r in rows)} / {total} 行'")
        assert b.js("location.search") == "?%E8%B4%9F%E8%B4%A3%E4%BA%BA=%E5%91%A8%E6%9D%B0"
        # sorting by due date: dated rows first, in order
        b.open(f"{url}problems/")
        b.wait("!!document.querySelector('.kehu-table [role=status]')")
        b.click(".kehu-table th:nth-child(7) button")
        due = b.js(cells % 6)
        dated = [d for d in due if d]
        assert dated == sorted(dated) and due[len(dated):] == [""] * (len(due) - len(dated))


def test_a_long_list_goes_to_one_page_per_rule(tmp_path, monkeypatch):
    """Above ONE_PAGE_ROWS the page keeps the counts and each rule's list gets a page; a rule
    with more rows gets several, one person's rows never split across two."""
    from kehu.check import Settings, run_check
    from kehu.site import pages, problems

    monkeypatch.setattr(problems, "ONE_PAGE_ROWS", 2)
    result = run_check(Settings(PROJECT, TODAY))
    pages.generate(result.repo, result.findings, tmp_path, full=False)
    index = (tmp_path / "problems/index.md").read_text(encoding="utf-8")
    assert "kehu-table" not in index and "[K401](K401.md)" in index and "(../staff/zhoujie.md#problems)" in index
    listed, owners_seen = Counter(), Counter()
    for page in (tmp_path / "problems").glob("K*.md"):
        code = page.stem.split("-")[0]
        lines = [line for line in page.read_text(encoding="utf-8").splitlines() if line.startswith("| [K")]
        assert {line.split("]")[0][3:] for line in lines} == {code}
        owners = {line.split(" | ")[4] for line in lines}
        assert len(lines) <= 2 or len(owners) == 1, page.name
        owners_seen.update((code, owner) for owner in owners)
        listed[code] += len(lines)
    assert listed == Counter(code for code, _ in expected_open_findings(PROJECT).elements())
    assert (tmp_path / "problems/K401-2.md").is_file() and max(owners_seen.values()) == 1
    assert not (tmp_path / "problems/K203-2.md").exists()  # 4 rows, all 徐磊's: one page
    assert "[第 2 页](K401-2.md)" in (tmp_path / "problems/K401.md").read_text(encoding="utf-8")
    # regenerated into the same folder (kehu serve) with the list on one page: the rule pages go
    monkeypatch.setattr(problems, "ONE_PAGE_ROWS", 4000)
    pages.generate(result.repo, result.findings, tmp_path, full=False)
    assert [p.name for p in (tmp_path / "problems").iterdir()] == ["index.md"]


# --- privacy: 机密, 绝密 and hostile names --------------------------------------------------

HOSTILE = "<script>document.title='pwned'</script>"


@pytest.fixture
def secrets_site(repo, tmp_path):
    """Customers whose 公海 clocks ran out: a hostile name, a 机密 one (with an overdue
    complaint) and a 绝密 one; all owned by 王丽."""
    repo.customer(id="C2026-0002", name=HOSTILE, phone="13700002222", owner="wangli", registered_at="2026-05-01 10:00:00")
    repo.customer(id="C2026-0003", name="钱密", phone="13700003333", owner="wangli", registered_at="2026-07-06 10:30:00",
                  extra="confidentiality: 机密\n")
    repo.write("records/complaints/2026/T2026-0003.yaml",
               "id: T2026-0003\ncustomer: C2026-0003\nreceived_at: 2026-11-02 09:00:00\nchannel: 电话\ncategory: 工期\n"
               "description: 工期拖延\nhandler: zhouhui\nstatus: 受理\n")
    repo.customer(id="C2026-0004", name="赵秘", phone="13700004444", owner="wangli", registered_at="2026-05-01 10:00:00",
                  extra="confidentiality: 绝密\n")
    repo.write("records/complaints/2026/T2026-0004.yaml",
               "id: T2026-0004\ncustomer: C2026-0004\nreceived_at: 2026-11-02 09:00:00\nchannel: 电话\ncategory: 工期\n"
               "description: 赵秘投诉工期\nhandler: zhouhui\nstatus: 受理\n")
    out = build(repo.root, tmp_path / "site")
    return repo, out


def test_confidential_names_never_appear_and_top_secret_not_at_all(secrets_site):
    repo, out = secrets_site
    rows = problem_rows(read(out, "problems/index.html"))
    assert Counter((r["规则"], r["记录"]) for r in rows) == expected_open_findings(repo.root)
    secret_rows = [r for r in rows if r["记录"] in ("C2026-0003", "T2026-0003")]
    assert {r["规则"] for r in secret_rows} >= {"K401", "K501"}
    for r in secret_rows:
        assert r["客户"] == "（机密）" and r["期限"] == "", r  # a date would tell when it was last visited
        assert "2026-11-02" not in r["说明"] and "钱密" not in r["说明"]
    hostile = next(r for r in rows if r["记录"] == "C2026-0002")
    assert hostile["客户"] == HOSTILE and hostile["负责人"] == "王丽"
    for page in ("problems/index.html", "index.html", "overdue/index.html", "staff/wangli/index.html",
                 "staff/zhouhui/index.html", "staff/index.html"):
        text = read(out, page)
        assert "钱密" not in text and "赵秘" not in text and "C2026-0004" not in text and "T2026-0004" not in text, page
        assert "<script>document.title" not in text, page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in read(out, "problems/index.html") or \
        "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in read(out, "problems/index.html")
    # the 机密 customer counts for its owner, the 绝密 one for nobody
    summary = next(t for t in tables(read(out, "problems/index.html")) if t[0][0] == "负责人")
    wangli = next(row for row in summary if row[0] == "王丽")
    assert int(wangli[5]) == sum(r["负责人"] == "王丽" for r in rows)
    assert not any(r["记录"] in ("C2026-0004", "T2026-0004") for r in rows)


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
def test_a_hostile_name_stays_text_in_the_browser(secrets_site):
    _, out = secrets_site
    server, url = serve(out)
    try:
        with Browser() as b:
            for page in ("problems/", "", "overdue/", "staff/wangli/"):
                b.open(url + page)
                assert b.js("document.title") != "pwned", page
                assert b.js(f"document.body.textContent.indexOf({json.dumps(HOSTILE)}) >= 0"), page
                assert b.js("document.body.textContent.indexOf('钱密') < 0 && document.body.textContent.indexOf('赵秘') < 0")
            b.open(url + "problems/")
            b.wait("!!document.querySelector('.kehu-table [role=status]')")
            options = b.js("Array.from(document.querySelectorAll('.kehu-table option')).map(function (o) { return o.textContent; })")
            assert "钱密" not in "".join(options) and "赵秘" not in "".join(options)
    finally:
        server.shutdown()


def test_due_dates_come_from_the_duties_and_complaint_deadlines(repo, tmp_path):
    """The due date of an overdue 公海 clock is the day it ran out; each complaint step has its
    working-day deadline, also the steps `kehu todo` does not list yet."""
    from kehu.check import Settings, run_check
    from kehu.site.pages import Site

    repo.customer(id="C2026-0002", name="李强", phone="13700002222", owner="wangli", registered_at="2026-05-01 10:00:00")
    repo.write("records/complaints/2026/T2026-0001.yaml",
               "id: T2026-0001\ncustomer: C2026-0001\nreceived_at: 2026-11-02 09:00:00\nchannel: 电话\ncategory: 工期\n"
               "description: 工期拖延\nhandler: zhouhui\nstatus: 受理\n")
    result = run_check(Settings(repo.root, TODAY))
    site = Site(result.repo, result.findings, tmp_path, False, {})
    due = {(p.code, p.finding.record): (p.owner, p.due) for p in site.problems}
    assert due[("K401", "C2026-0002")] == ("wangli", date(2026, 6, 30))  # registered 05-01 + 60 days
    steps = {code: due[(code, "T2026-0001")] for code in ("K501", "K502", "K503") if (code, "T2026-0001") in due}
    assert steps and all(owner == "zhouhui" for owner, _ in steps.values())
    assert [d for _, d in steps.values()] == sorted(d for _, d in steps.values())
    dues = [p.due for p in site.problems]
    dated = [d for d in dues if d is not None]
    assert dues == dated + [None] * (len(dues) - len(dated)) and dated == sorted(dated)  # soonest first, undated last
