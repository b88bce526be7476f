"""Hostile records, privacy on every output (SPEC §6, §10): what the default site, `kehu report`
and `kehu export` show of a record -- and what only `--full` shows."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook

from conftest import TODAY, git, kehu

PHONE, MASKED_PHONE = "15987654321", "159****4321"
ID_CARD, MASKED_ID = "11010519491231002X", "110105********002X"  # a valid 身份证 number (check character X)
SCRIPT_NAME = "李娜</title><script>alert(1)</script>"


def build(repo, *args) -> Path:
    code, out, err = kehu("build", *args, repo=repo)
    assert code == 0, err
    return repo.root / ("_site_full" if "--full" in args else "_site")


def site_text(site: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(site.rglob("*"))
                   if p.suffix in (".html", ".json", ".js"))


def pages(repo, tmp_path, full=False, findings=None) -> dict[str, str]:
    """The generated Markdown pages (no MkDocs): relative path -> text."""
    from kehu.check import Settings, run_check
    from kehu.site.pages import generate

    result = run_check(Settings(repo.root, TODAY))
    out = tmp_path / ("full" if full else "masked")
    generate(result.repo, result.findings if findings is None else findings(result), out, full=full)
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}


class Elements(HTMLParser):
    """The document <title> (not an SVG chart's), the inline scripts and the event-handler
    attributes of one HTML page, as a browser would parse them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.titles, self.scripts, self.handlers, self._in, self._svg = [], [], [], None, 0

    def handle_starttag(self, tag, attrs):
        self._svg += tag == "svg"
        self._in = tag if tag == "script" or (tag == "title" and not self._svg) else None
        if self._in == "title":
            self.titles.append("")
        if tag == "script":
            self.scripts.append("")
        self.handlers += [value for name, value in attrs if name.startswith("on") and value]

    def handle_endtag(self, tag):
        self._svg -= tag == "svg"
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.titles[-1] += data
        elif self._in == "script":
            self.scripts[-1] += data


def parsed(path: Path) -> Elements:
    elements = Elements()
    elements.feed(path.read_text(encoding="utf-8"))
    return elements


# --- 1. record text never runs as script, in the body or in the page title -------------------

def test_a_name_that_closes_the_title_stays_text_in_every_title_and_body(repo):
    repo.staff("lina", SCRIPT_NAME, "客户经理")
    repo.customer(id="C2026-0002", name="<script>alert(2)</script>王", phone="13700002222", owner="lina",
                  extra="notes: </title><script>alert(3)</script>\n")
    repo.write("records/visits/2026/11/V2026-000002.yaml",
               "id: V2026-000002\ncustomer: C2026-0002\nat: 2026-11-12 14:00:00\nstaff: lina\n"
               "type: 电话\nsummary: '</title><script>alert(4)</script>'\n")
    site = build(repo)
    html_pages = list(site.rglob("*.html"))
    for path in html_pages:
        elements = parsed(path)
        assert len(elements.titles) == 1, path  # a </title> from a record would end it early
        assert not [s for s in elements.scripts if "alert(" in s], path
        assert not [h for h in elements.handlers if "alert(" in h], path
    staff_page = parsed(site / "staff" / "lina" / "index.html")
    assert SCRIPT_NAME in staff_page.titles[0] or "lina" in staff_page.titles[0]
    raw = (site / "staff" / "lina" / "index.html").read_text(encoding="utf-8")
    assert "</title><script>alert(1)" not in raw and "&lt;/title&gt;&lt;script&gt;alert(1)" in raw


# --- 2. a finding's message never names a customer the output restricts or hides -------------

def test_k301_on_a_visible_customer_does_not_name_the_confidential_one_it_collides_with(repo, tmp_path):
    repo.customer(id="C2026-0002", name="钱机", phone="13700002222", registered_at="2026-11-01 09:00:00",
                  extra="confidentiality: 机密\n")
    repo.customer(id="C2026-0003", name="赵秘", phone="13700003333", registered_at="2026-11-01 09:00:00",
                  extra="confidentiality: 绝密\n")
    repo.customer(id="C2026-0004", name="孙甲", phone="137 0000 2222", owner="wangli", registered_at="2026-11-12 09:00:00")
    repo.customer(id="C2026-0005", name="孙乙", phone="13700003333", owner="wangli", registered_at="2026-11-12 09:00:00")
    shown = pages(repo, tmp_path)
    for page in ("customers/C2026-0004.md", "customers/C2026-0005.md"):
        assert "K301" in shown[page] and "撞单" in shown[page]
        assert "钱机" not in shown[page] and "赵秘" not in shown[page] and "C2026-0003" not in shown[page]
    assert "钱机" in pages(repo, tmp_path, full=True)["customers/C2026-0004.md"]


def test_a_message_naming_a_confidential_customer_by_name_only_is_withheld_on_every_list(repo, tmp_path):
    """The finding is on C2026-0001 (秘密) and its message names 钱机 (机密) without the id: the
    customer page, the overdue list and the owner's staff page show the rule's title instead."""
    from kehu.findings import Finding, Text

    repo.customer(id="C2026-0002", name="钱机", phone="13700002222", extra="confidentiality: 机密\n")

    def naming(result):
        text = "与钱机的跟进冲突，最后一次 2026-09-01"
        return [*result.findings, Finding("K401", "warning", "records/customers/2026/C2026-0001.yaml", 1, None,
                                          "C2026-0001", Text(text, text))]

    shown = pages(repo, tmp_path, findings=naming)
    for page in ("customers/C2026-0001.md", "overdue.md", "staff/liuyang.md"):
        assert "K401" in shown[page], page
        assert "钱机" not in shown[page], page


# --- 3. phone and ID numbers typed into free text are masked, unless --full ------------------

def _free_text_records(repo):
    said = f"客户新号码 {PHONE}，身份证 {ID_CARD}"
    repo.customer(extra=f"notes: {said}\nowner_history:\n  - {{owner: pool, from: 2026-10-15, by: sunmin, "
                        f"reason: '{said}'}}\n", owner="pool", registered_by="liuyang",
                  registered_at="2026-09-01 10:00:00", folder="2026")
    repo.write("records/visits/2026/11/V2026-000001.yaml",
               f"id: V2026-000001\ncustomer: C2026-0001\nat: 2026-11-12 14:00:00\nstaff: liuyang\ntype: 电话\nsummary: {said}\n")
    repo.write("records/complaints/2026/T2026-0001.yaml",
               f"id: T2026-0001\ncustomer: C2026-0001\nreceived_at: 2026-11-16 09:00:00\nchannel: 电话\ncategory: 工期\n"
               f"description: {said}\nhandler: zhouhui\nstatus: 已解决\ninvestigation_started_at: 2026-11-16 10:00:00\n"
               f"replied_at: 2026-11-16 11:00:00\nresolved_at: 2026-11-17 11:00:00\nresolution: {said}\n"
               f"follow_up: {{at: 2026-11-18 10:00:00, by: zhouhui, satisfied: true, comment: '{said}'}}\n")
    second = repo.customer(id="C2026-0002", name=f"王先生{PHONE}", phone="13700002222")
    second.write_text(second.read_text(encoding="utf-8").replace("community: 万科城市花园", f"community: 万科（身份证 {ID_CARD}）"),
                      encoding="utf-8")


def test_numbers_in_free_text_and_commit_subjects_are_masked_on_the_default_site(repo):
    _free_text_records(repo)
    git(repo.root, "init", "-q")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", f"王芳换号 {PHONE}，身份证 {ID_CARD}")
    everything = site_text(build(repo))
    assert PHONE not in everything and ID_CARD not in everything
    assert MASKED_PHONE in everything and MASKED_ID in everything
    page = (repo.root / "_site" / "customers" / "C2026-0001" / "index.html").read_text(encoding="utf-8")
    assert f"王芳换号 {MASKED_PHONE}" in page  # the history section, masked
    full = site_text(build(repo, "--full"))
    assert f"王芳换号 {PHONE}" in full and f"客户新号码 {PHONE}" in full and ID_CARD in full


def _report(repo, tmp_path, fmt, *extra) -> str:
    if fmt == "xlsx":
        target = tmp_path / f"report{len(extra)}.xlsx"
        code, out, err = kehu("report", "monthly", "--format", "xlsx", "--out", str(target), *extra, repo=repo)
        assert code == 0, err
        book = load_workbook(target)
        return "\n".join(str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row)
    code, out, err = kehu("report", "monthly", "--format", fmt, *extra, repo=repo)
    assert code == 0, err
    return out.replace("\\*", "*") if fmt == "md" else json.dumps(json.loads(out), ensure_ascii=False)


def test_numbers_in_free_text_are_masked_in_reports_unless_full(repo, tmp_path):
    _free_text_records(repo)
    for fmt in ("md", "json", "xlsx"):
        masked = _report(repo, tmp_path, fmt)
        assert "C2026-0001" in masked and MASKED_PHONE in masked and MASKED_ID in masked, fmt  # the reclaim reason
        assert PHONE not in masked and ID_CARD not in masked, fmt
        full = _report(repo, tmp_path, fmt, "--full")
        assert PHONE in full and ID_CARD in full, fmt


def test_numbers_in_free_text_are_masked_in_exports_unless_full(repo, tmp_path):
    _free_text_records(repo)
    for fmt in ("csv", "xlsx"):
        for full in (False, True):
            target = tmp_path / f"export{full}.{fmt}"
            code, out, err = kehu("export", "--format", fmt, "--out", str(target), *(["--full"] if full else []), repo=repo)
            assert code == 0, err
            if fmt == "csv":
                text = target.read_bytes().decode("utf-8-sig")
            else:
                text = "\n".join(str(c.value) for row in load_workbook(target)["客户"].iter_rows() for c in row)
            assert (PHONE in text and ID_CARD in text) if full else (PHONE not in text and ID_CARD not in text), (fmt, full)
            if not full:
                assert f"王先生{MASKED_PHONE}" in text and MASKED_ID in text


# --- 4. a second file with a 绝密 customer's id shows nothing of it ----------------------------

def test_a_file_reusing_a_top_secret_id_keeps_the_name_out_of_search_lists_and_staff_pages(repo):
    repo.customer(id="C2026-0002", name="赵秘", phone="13700002222", owner="wangli", extra="confidentiality: 绝密\n")
    repo.customer(id="C2026-0002", name="赵秘二", phone="13700003333", owner="wangli", folder="2025",
                  registered_at="2025-11-10 10:30:00")
    site = build(repo)
    index = "".join(p.read_text(encoding="utf-8") for p in sorted((site / "assets" / "search").glob("*.json")))
    assert "赵秘" not in index and "zhaomi" not in index and "C2026-0002" not in index
    for page in ("customers/2026/index.html", "customers/2025/index.html", "staff/wangli/index.html", "index.html"):
        path = site / page
        assert not path.exists() or ("赵秘" not in path.read_text(encoding="utf-8")
                                     and "C2026-0002" not in path.read_text(encoding="utf-8")), page
    assert "赵秘" not in site_text(site)


# --- 5. 机密: id, owner and stage, nothing else; 绝密: nothing ------------------------------------

def _confidential(repo):
    repo.customer(id="C2026-0002", name="钱机", phone="13700002222", owner="pool", registered_by="wangli",
                  registered_at="2026-08-03 10:30:00",
                  extra="confidentiality: 机密\ngrade: A\nowner_history:\n"
                        "  - {owner: pool, from: 2026-10-09, by: sunmin, reason: 钱机嫌报价高不再跟进}\n")
    text = (repo.root / "records/customers/2026/C2026-0002.yaml").read_text(encoding="utf-8")
    (repo.root / "records/customers/2026/C2026-0002.yaml").write_text(text.replace("grade: B\n", ""), encoding="utf-8")
    # a 机密 customer the pool clock runs for, and a complaint about it that is overdue
    repo.customer(id="C2026-0003", name="钱密", phone="13700003333", owner="wangli", registered_at="2026-07-06 10:30:00",
                  extra="confidentiality: 机密\n")
    text = (repo.root / "records/customers/2026/C2026-0003.yaml").read_text(encoding="utf-8")
    (repo.root / "records/customers/2026/C2026-0003.yaml").write_text(text.replace("grade: B", "grade: D"), encoding="utf-8")
    repo.write("records/complaints/2026/T2026-0003.yaml",
               "id: T2026-0003\ncustomer: C2026-0003\nreceived_at: 2026-11-02 09:00:00\nchannel: 电话\ncategory: 工期\n"
               "description: 工期拖延\nhandler: zhouhui\nstatus: 受理\n")
    repo.customer(id="C2026-0004", name="赵秘", phone="13700004444", owner="pool", registered_by="wangli",
                  registered_at="2026-08-03 10:30:00",
                  extra="confidentiality: 绝密\nowner_history:\n  - {owner: pool, from: 2026-10-09, by: sunmin, reason: 赵秘不接}\n")


def _rows_of(text: str, customer_id: str) -> list[str]:
    return [line for line in text.splitlines() if customer_id in line and line.startswith("|")]


def test_confidential_customers_show_only_id_owner_and_stage_on_every_list(repo, tmp_path):
    _confidential(repo)
    shown = pages(repo, tmp_path)
    listing = {"year list": shown["customers/2026.md"], "pool": shown["pool.md"], "staff": shown["staff/wangli.md"]}
    for where, text in listing.items():
        rows = _rows_of(text, "C2026-0002") + _rows_of(text, "C2026-0003")
        assert rows, where
        for row in rows:
            for secret in ("钱机", "钱密", "| A |", "| D |", "2026-08-03", "2026-07-06", "万科"):
                assert secret not in row, (where, secret, row)
    pool_rows = _rows_of(shown["pool.md"], "C2026-0003")
    assert pool_rows and "天" not in pool_rows[0]  # not even the days left: they tell when it was last visited
    overdue = shown["overdue.md"]
    complaint_rows = [line for line in overdue.splitlines() if "T2026-0003" in line]
    assert complaint_rows
    for row in complaint_rows:
        assert "2026-11-02" not in row and "投诉未在" in row, row  # the rule's title, not the dates
    everything = "\n".join(shown.values())
    assert "嫌报价高" not in everything and "赵秘" not in everything and "C2026-0004" not in everything


def test_the_monthly_report_shows_confidential_customers_as_id_and_leaves_top_secret_out(repo):
    _confidential(repo)
    for fmt in ("md", "json"):
        code, out, err = kehu("report", "monthly", "--format", fmt, repo=repo)
        assert code == 0, err
        assert "C2026-0002" in out and "C2026-0004" not in out and "赵秘" not in out, fmt
        assert "嫌报价高" not in out and "2026-10-09" not in out and "王丽" not in out, fmt
    document = json.loads(kehu("report", "monthly", "--format", "json", repo=repo)[1])
    assert document["summary"]["reclaimed"] == 1
    full = kehu("report", "monthly", "--format", "json", "--full", repo=repo)[1]
    assert "C2026-0004" in full and "嫌报价高" in full


# --- 6. no "nan ㎡" or "inf 万" anywhere --------------------------------------------------------

NON_FINITE = re.compile(r"(?<![A-Za-z])(nan|inf|NaN|Infinity)(?![A-Za-z])")


def test_non_finite_numbers_never_reach_pages_reports_or_exports(repo, tmp_path):
    repo.customer(id="C2026-0002", name="钱甲", phone="13700002222",
                  extra="house: {type: 别墅, area_sqm: .nan}\nbudget_wan: .inf\n")
    repo.customer(id="C2026-0003", name="钱乙", phone="13700003333",
                  extra="house: {type: 别墅, area_sqm: -.inf}\nbudget_wan: .nan\ncontract: {amount_wan: .inf}\n")
    for full in (False, True):
        for path, text in pages(repo, tmp_path, full=full).items():
            if path.startswith("rules/"):
                continue  # the rule catalogue explains .inf / .nan in its examples
            assert not NON_FINITE.search(text.replace(".inf / .nan", "")), (path, NON_FINITE.search(text))
    for fmt in ("md", "json"):
        out = kehu("report", "range", "--from", "2026-01-01", "--to", "2026-12-31", "--format", fmt, repo=repo)[1]
        assert not NON_FINITE.search(out), fmt
    target = tmp_path / "out.csv"
    assert kehu("export", "--format", "csv", "--full", "--out", str(target), repo=repo)[0] == 0
    assert not NON_FINITE.search(target.read_text(encoding="utf-8-sig"))
    for path in build(repo).rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "nan ㎡" not in text and "inf 万" not in text and "nan 万" not in text, path

