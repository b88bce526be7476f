"""The site's search, typed into the real page in headless chromium (tests/chromium.py):
what each kind of query finds, what a result shows, masking, escaping, the keyboard, the
phone layout, and how much one search fetches from the sharded index (issue 17, point 2)."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import threading
from datetime import date
from pathlib import Path

import pytest

from chromium import Browser
from conftest import STAFF, Repo, kehu

HOSTILE = "<img src=x onerror=\"document.title='pwned'\">"
CUSTOMER = """\
id: {id}
name: '{name}'
phones: ['{phone}']
district: {district}
community: '{community}'
source: {{channel: 到店}}
grade: {grade}
stage: {stage}
owner: {owner}
registered_at: 2026-{month:02d}-10 10:30:00
registered_by: {owner}
{extra}"""


def customer(repo: Repo, number: int, name: str, community: str = "万科城市花园", owner: str = "liuyang",
             stage: str = "咨询", grade: str = "B", district: str = "闵行区", extra: str = "") -> str:
    customer_id = f"C2026-{number:04d}"
    repo.write(f"records/customers/2026/{customer_id}.yaml", CUSTOMER.format(
        id=customer_id, name=name.replace("'", "''"), phone=f"137{number:08d}", district=district,
        community=community.replace("'", "''"), grade=grade, stage=stage, owner=owner, month=1 + number % 11, extra=extra))
    return customer_id


GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玲"


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Repo:
    """Twenty-six customers called 王 (one of them 王芳), a colleague 王力 among them, a 机密
    and a 绝密 customer, one whose name and 小区 are markup."""
    repo = Repo(tmp_path_factory.mktemp("search") / "company")
    repo.write("kehu.yaml", "site_name: 搜索测试\n")
    repo.write("records/policy.yaml", "reclaim_after_days: 60\n")
    for staff_id, (name, role, department) in STAFF.items():
        repo.staff(staff_id, name, role, department)
    repo.staff("wangl", "王力", "总经理", "总经办")
    customer(repo, 1, "王芳")
    for n, given in enumerate(GIVEN[:25], 2):
        customer(repo, n, "王" + given + "生", community="春申景城", owner=("liuyang", "wangli", "chenjing")[n % 3],
                 stage=("咨询", "签约", "量房")[n % 3])
    customer(repo, 40, "李强", community="世茂滨江花园", owner="wangli", grade="A")
    customer(repo, 41, "钱机", community="保密花园", owner="liuyang", stage="量房", grade="A",
             extra="confidentiality: 机密\n")
    customer(repo, 42, "赵秘", community="绝密公寓", owner="liuyang", extra="confidentiality: 绝密\n")
    customer(repo, 43, HOSTILE, community="<b>粗体</b>花园", owner="zhouhui")
    return repo


@pytest.fixture(scope="module")
def site(company):
    code, out, err = kehu("build", repo=company)
    assert code == 0, err
    return company.root / "_site"


@contextlib.contextmanager
def serve(folder: Path, search_from: Path | None = None):
    """The site over HTTP; with `search_from`, assets/search/ comes from that folder instead."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def translate_path(self, path):
            path = path.split("?", 1)[0]
            if search_from is not None and path.startswith("/assets/search/"):
                return str(search_from / os.path.basename(path))
            return super().translate_path(path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def page(site):
    """A browser on a customer page of the site, with the search box."""
    with serve(site) as url, Browser() as browser:
        browser.url = url
        browser.open(url + "customers/C2026-0001/")
        yield browser


def search(browser: Browser, query: str) -> dict:
    """Type `query` into the empty search box; what the results panel then shows."""
    browser.js("(function () { var q = document.getElementById('kehu-search-q'); q.value = ''; q.focus(); })()")
    browser.type(query)
    browser.wait(f"document.getElementById('kehu-search-results').dataset.query === {json.dumps(query)}")
    return browser.js("""(function () {
      var panel = document.getElementById('kehu-search-results');
      function texts(selector) {
        return Array.prototype.map.call(panel.querySelectorAll(selector), function (n) { return n.textContent; });
      }
      return {text: panel.innerText, html: panel.innerHTML, hidden: panel.hidden,
              hits: Array.prototype.map.call(panel.querySelectorAll('a.kehu-search__hit'), function (a) {
                return {href: a.getAttribute('href'), text: a.innerText}; }),
              headings: texts('.kehu-search__heading'), more: texts('.kehu-search__more'),
              status: document.getElementById('kehu-search-status').textContent, title: document.title};
    })()""")


def hrefs(shown: dict) -> list[str]:
    return [hit["href"].split("/", 3)[3] for hit in shown["hits"]]


@pytest.mark.parametrize("query", ["wangfang", "wf", "芳", "王芳", "C2026-0001", "0001"])
def test_finds_wang_fang_by_pinyin_initials_one_character_and_id(page, query):
    shown = search(page, query)
    assert "customers/C2026-0001/" in hrefs(shown), shown["text"]
    [hit] = [h for h in shown["hits"] if h["href"].endswith("customers/C2026-0001/")]
    # a result shows the customer's manager, 小区, stage and grade
    assert hit["text"].split() == ["C2026-0001", "王芳", "客户经理", "刘洋", "·", "小区", "万科城市花园", "·", "阶段", "咨询",
                                   "·", "分级", "B"], hit["text"]


def test_exact_name_comes_first(page):
    shown = search(page, "王芳")
    assert hrefs(shown)[0] == "customers/C2026-0001/"


def test_a_community_lists_its_customers_and_itself(page):
    shown = search(page, "春申景城")
    assert "小区 · 1" in shown["headings"] and "春申景城" in shown["text"] and "25 位客户" in shown["text"]
    assert len([h for h in hrefs(shown) if h.startswith("customers/")]) == 20  # the first twenty of 25
    assert shown["more"] == ["还有 5 条 · 显示更多"]
    # part of a 小区's name lists the 小区; picking one searches it
    shown = search(page, "春申")
    assert "小区 · 1" in shown["headings"]
    page.click(".kehu-search__pick")
    page.wait("document.getElementById('kehu-search-results').dataset.query === '春申景城'")
    assert page.js("document.getElementById('kehu-search-q').value") == "春申景城"


def test_a_single_surname_shows_the_colleague_first_and_says_how_many_more(page):
    shown = search(page, "王")
    assert shown["headings"][:1] == ["员工 · 2"], shown["headings"]  # 王力 and 王丽, before the customers
    assert hrefs(shown)[:2] == ["staff/wangl/", "staff/wangli/"] or hrefs(shown)[:2] == ["staff/wangli/", "staff/wangl/"]
    assert "客户 · 26" in shown["headings"]
    customers = [h for h in hrefs(shown) if h.startswith("customers/")]
    assert len(customers) == 20 and shown["more"] == ["还有 6 条 · 显示更多"]
    assert "总经理 · 总经办" in shown["text"]
    # the button shows the rest, moves the focus to the first of them, and is gone
    page.click(".kehu-search__group:last-child .kehu-search__more")
    page.wait("document.querySelectorAll('#kehu-search-results a[href*=\"customers/\"]').length === 26")
    assert page.js("document.querySelectorAll('#kehu-search-results .kehu-search__more').length") == 0
    focused = page.js("document.activeElement.getAttribute('href')")
    assert focused.split("/", 3)[3] not in customers and "/customers/" in focused


def test_a_colleague_by_name_pinyin_and_id_lists_their_customers_after_them(page):
    for query in ("刘洋", "liuyang"):
        shown = search(page, query)
        assert hrefs(shown)[0] == "staff/liuyang/", (query, shown["text"])
        assert "名下 10 位客户" in shown["text"]  # 王芳, eight 王, 钱机 (机密); never the 绝密 one
        assert {h for h in hrefs(shown) if h.startswith("customers/")} >= {"customers/C2026-0001/", "customers/C2026-0041/"}


def test_two_words_narrow_each_other(page):
    shown = search(page, "王丽 签约")
    hits = [hit for hit in shown["hits"] if "/customers/" in hit["href"]]
    assert len(hits) == 8 and all("客户经理 王丽" in hit["text"] and "阶段 签约" in hit["text"] for hit in hits), shown["text"]


def test_rules_by_code_and_by_title(page):
    shown = search(page, "K301")
    assert hrefs(shown)[0] == "rules/K301/" and "规则 · 1" in shown["headings"]
    assert "rules/K301/" in hrefs(search(page, "撞单"))
    assert {"rules/K301/", "rules/K302/"} <= set(hrefs(search(page, "k30")))


def test_a_confidential_customer_is_found_by_id_and_owner_only(page):
    shown = search(page, "C2026-0041")
    [hit] = shown["hits"]
    assert hit["text"].split() == ["机密", "C2026-0041", "（机密）", "客户经理", "刘洋", "·", "阶段", "量房"], hit["text"]
    for query in ("钱机", "qianji", "qj", "保密花园"):
        shown = search(page, query)
        assert "C2026-0041" not in shown["text"], query
    assert "customers/C2026-0041/" in hrefs(search(page, "刘洋"))


def test_a_top_secret_customer_is_not_found_at_all(page, site):
    for query in ("赵秘", "zhaomi", "zm", "C2026-0042", "0042", "绝密公寓", "刘洋"):
        shown = search(page, query)
        assert not [hit for hit in shown["hits"] if "C2026-0042" in hit["href"] + hit["text"] or "赵秘" in hit["text"]], query
        assert "C2026-0042" not in shown["html"].replace(f"「{query}」", ""), query
    index = "".join(p.read_text(encoding="utf-8") for p in (site / "assets" / "search").glob("*.json"))
    assert "赵秘" not in index and "C2026-0042" not in index and "绝密公寓" not in index and "zhaomi" not in index


def test_markup_in_a_name_or_community_is_text(page):
    for query in ("C2026-0043", "img", "粗体"):
        shown = search(page, query)
        assert "customers/C2026-0043/" in hrefs(shown), query
        [hit] = [h for h in shown["hits"] if "C2026-0043" in h["href"]]
        assert HOSTILE in hit["text"] and "<b>粗体</b>花园" in hit["text"]
        assert "<img" not in shown["html"] and "<b>" not in shown["html"], shown["html"]
        assert page.js("document.querySelectorAll('#kehu-search-results img, #kehu-search-results b').length") == 0
        assert shown["title"] != "pwned"


def test_nothing_found_says_so(page):
    shown = search(page, "不存在的人")
    assert not shown["hidden"] and "没有找到「不存在的人」" in shown["text"] and shown["status"] == "没有找到「不存在的人」"


def test_keyboard_arrow_keys_escape_and_enter(page):
    search(page, "王芳")
    page.key("ArrowDown")
    assert page.js("document.activeElement.classList.contains('kehu-search__hit')")
    assert page.js("document.activeElement.getAttribute('href')").endswith("customers/C2026-0001/")
    page.key("ArrowUp")
    assert page.js("document.activeElement.id") == "kehu-search-q"
    page.key("Escape")
    assert page.js("document.getElementById('kehu-search-results').hidden") is True
    search(page, "C2026-0040")
    page.key("Enter")  # the first result opens
    page.wait("location.pathname.endsWith('/customers/C2026-0040/') && !!document.querySelector('h1')")
    page.wait("document.getElementById('kehu-search-results').hidden")  # closed on the new page
    page.open(page.url + "customers/C2026-0001/")


def test_box_and_results_are_labelled(page):
    labels = page.js("Array.prototype.map.call(document.getElementById('kehu-search-q').labels, function (l) { return l.textContent; })")
    assert labels == ["搜索客户、员工、规则"]
    assert page.js("document.querySelector('.kehu-search').getAttribute('role')") == "search"
    assert page.js("document.getElementById('kehu-search-q').getAttribute('aria-describedby')") == "kehu-search-help"
    shown = search(page, "王")
    assert shown["status"].startswith("找到 员工 2，客户 26")
    groups = page.js("Array.prototype.map.call(document.querySelectorAll('#kehu-search-results [role=group]'),"
                     " function (g) { return document.getElementById(g.getAttribute('aria-labelledby')).textContent; })")
    assert groups == shown["headings"]


def test_query_in_the_address_runs_the_search(page):
    page.open(page.url + "?q=" + "wangfang")
    page.wait("document.getElementById('kehu-search-results').dataset.query === 'wangfang'")
    assert "C2026-0001" in page.js("document.getElementById('kehu-search-results').textContent")
    page.open(page.url + "customers/C2026-0001/")


def test_on_a_phone_the_box_does_not_cover_the_title(site):
    with serve(site) as url, Browser(390, 844, mobile=True) as phone:
        phone.open(url + "customers/C2026-0001/")
        boxes = phone.js("""(function () {
          function box(selector) { var r = document.querySelector(selector).getBoundingClientRect();
            return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width}; }
          return {title: box('.md-header__title'), toggle: box('.kehu-search__toggle'), input: box('#kehu-search-q')};
        })()""")
        assert boxes["input"]["width"] == 0  # folded into the magnifier
        assert boxes["toggle"]["width"] > 0 and boxes["title"]["right"] <= boxes["toggle"]["left"] + 1
        assert boxes["title"]["width"] >= 100
        phone.click(".kehu-search__toggle")
        phone.wait("document.activeElement.id === 'kehu-search-q'")
        assert phone.js("document.getElementById('kehu-search-q').getBoundingClientRect().width") >= 250
        shown = search(phone, "王芳")
        assert "customers/C2026-0001/" in hrefs(shown)
        panel = phone.js("(function () { var r = document.getElementById('kehu-search-results').getBoundingClientRect();"
                         " return [r.left, r.right]; })()")
        assert panel[0] <= 1 and panel[1] >= 389
        phone.key("Escape")
        phone.key("Escape")
        assert phone.js("document.getElementById('kehu-search-q').getBoundingClientRect().width") == 0
        assert phone.js("document.activeElement.classList.contains('kehu-search__toggle')")


def test_a_word_over_the_fetch_budget_says_what_it_left_out(site, tmp_path):
    """At 20,000 customers no word passes the budget (600 KB of shards); rows made to look
    1,000 times larger show what happens when one does."""
    index = tmp_path / "search"
    shutil.copytree(site / "assets" / "search", index)
    meta = json.loads((index / "meta.json").read_text(encoding="utf-8"))
    meta["row"] *= 1000
    (index / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    with serve(site, search_from=index) as url, Browser() as browser:
        browser.open(url + "customers/C2026-0001/")
        shown = search(browser, "春申")
    assert "另有约 25 位客户在名字含「春申」的小区或客户经理名下，未全部列出" in shown["text"]
    assert "小区 · 1" in shown["headings"] and "25 位客户" in shown["text"]


def test_search_stays_on_the_site(page):
    page.open(page.url + "customers/C2026-0040/")
    search(page, "李")
    fetched = page.fetched()
    assert any("/assets/search/" in url for url in fetched) and all(url.startswith(page.url) for url in fetched), fetched


# --- at scale: one search fetches a few shards, never the whole index ----------------------

@pytest.fixture(scope="module")
def large_index(tmp_path_factory):
    """The search index (only: no pages) of 3,000 customers from the demo generator."""
    from demo import generate
    from kehu.check import Settings, run_check
    from kehu.site.pages import Site
    from kehu.site.search import FOLDER

    root = tmp_path_factory.mktemp("large")
    (root / "kehu.yaml").write_text("site_name: large\n", encoding="utf-8")
    generate(root / "records", customers=3000, today=date(2026, 11, 20))
    result = run_check(Settings(root, date(2026, 11, 20)))
    site = Site(result.repo, result.findings, root / "docs", False, {})
    for c in site.customers:
        site.search_entry(c)
    for staff_id, data in site.staff.items():
        site.search.person(staff_id, data.get("name"), f"staff/{staff_id}/", str(data.get("role")))
    site.search.write(root / "docs" / FOLDER)
    return root / "docs" / FOLDER


@pytest.fixture(scope="module")
def large_page(site, large_index):
    with serve(site, search_from=large_index) as url, Browser() as browser:
        browser.url = url
        yield browser


@pytest.mark.parametrize("query", ["王", "李", "wang", "zw", "芳", "园", "张伟", "zhangwei", "0014", "C2025-0014", "王芳"])
def test_one_search_fetches_a_small_part_of_a_large_index(large_page, large_index, query):
    whole = sum(p.stat().st_size for p in large_index.glob("*.json"))
    meta = (large_index / "meta.json").stat().st_size
    large_page.open(large_page.url + "customers/C2026-0001/", cache=False)  # a fresh page: nothing loaded yet
    large_page.js("document.getElementById('kehu-search-q').focus()")
    large_page.js("window.kehuTyped = performance.now()")
    large_page.type(query)
    large_page.wait(f"document.getElementById('kehu-search-results').dataset.query === {json.dumps(query)}")
    elapsed = large_page.js("performance.now() - window.kehuTyped")
    fetched = large_page.fetched("/assets/search/")
    assert any(url.split("?")[0].endswith("/meta.json") for url in fetched)
    total = sum(fetched.values())
    # under 1 MB at 20,000 customers is the goal (bench/search.py measures it); here, at 3,000,
    # the shards of one query are a small part of an index several times larger
    assert total < 1_000_000 and total - meta < whole / 5, (query, total, whole, fetched)
    assert "客户 · " in large_page.js("document.getElementById('kehu-search-results').innerText")
    assert elapsed < 1000, elapsed
