"""Random and mutated input never produces a traceback or a hang (a short run; the long one
is bench/fuzz.py)."""

from __future__ import annotations

import os
import re
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CUSTOMER_C0009, git
from kehu.check import Settings, run_check
from kehu.load.yamlfile import decode, parse

VALID = CUSTOMER_C0009 + """\
owner_history:
  - {owner: wangli, from: 2026-05-01, by: sunmin}
milestones: {first_consult: 2026-05-01, contract_signed: 2026-06-01}
"""
YAML_BITS = st.sampled_from(["\n", ": ", "- ", "'", '"', "{", "}", "[", "]", "&a ", "*a", "!!", "\t", "#", "---\n",
                             "? ", "|", ">", "%", "@", "\ufeff", "\x00", "no", "13800138000", "2026-02-30", "~", "<<: *a"])
EXAMPLES = int(os.environ.get("KEHU_FUZZ_EXAMPLES", "300"))  # bench/fuzz.py raises it to 20,000
FIELD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                         st.text(max_size=30), st.lists(st.text(max_size=5), max_size=3),
                         st.dictionaries(st.text(max_size=5), st.integers(), max_size=3))


def mutate(text: str, cuts: list[tuple[int, str]]) -> str:
    for position, bit in cuts:
        at = position % (len(text) + 1)
        text = text[:at] + bit + text[at:]
    return text


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_load_or_fail_cleanly(raw):
    started = time.perf_counter()
    text, problem = decode(raw)
    if text is not None:
        parsed = parse(text)
        assert parsed.data is not None or parsed.problems
    assert time.perf_counter() - started < 5


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10_000), YAML_BITS), max_size=6))
def test_mutated_records_parse_or_give_problems(cuts):
    parsed = parse(mutate(VALID, cuts))
    assert parsed.data is not None or parsed.problems[0].code in ("K001", "K003")


@settings(max_examples=max(40, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(["name", "phones", "grade", "stage", "owner", "registered_at", "house", "milestones",
                                        "owner_history", "survey", "locked", "contract", "source", "notes"]),
                       FIELD_VALUES, max_size=5))
def test_rules_and_pages_survive_any_record_shape(repo, tmp_path_factory, changes):
    """Any value in any customer field: every rule runs (none crashes) and the site's pages
    are generated, each within 5 seconds."""
    from kehu.site.pages import generate

    lines = [line for line in VALID.splitlines() if line.split(":")[0] not in changes]
    import json

    body = "\n".join(lines) + "\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in changes.items())
    repo.write("records/customers/2026/C2026-0009.yaml", body)
    started = time.perf_counter()
    result = run_check(Settings(repo.root, date(2026, 11, 20)))
    assert not [f for f in result.findings if "运行出错" in f.message.zh], result.findings
    generate(result.repo, result.findings, tmp_path_factory.mktemp("pages"), full=True)
    assert time.perf_counter() - started < 5


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20)


@settings(max_examples=max(20, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TEXT, community=TEXT, notes=TEXT, summary=TEXT)
def test_site_pages_escape_any_text(repo, tmp_path_factory, name, community, notes, summary):
    """Any name, 小区, note or visit summary becomes text on the pages, never markup."""
    import json as _json

    from kehu.check import prepare
    from kehu.site.pages import generate

    quoted = {k: _json.dumps(v, ensure_ascii=False) for k, v in
              (("name", name), ("community", community), ("notes", notes), ("summary", summary))}
    repo.write("records/customers/2026/C2026-0009.yaml", VALID.replace("name: 李强", f"name: {quoted['name']}")
               + f"community: {quoted['community']}\nnotes: {quoted['notes']}\n")
    repo.write("records/visits/2026/11/V2026-000009.yaml",
               f"id: V2026-000009\ncustomer: C2026-0009\nat: 2026-11-12 10:00:00\nstaff: liuyang\ntype: 电话\n"
               f"summary: {quoted['summary']}\n")
    out = tmp_path_factory.mktemp("pages")
    repository = prepare(repo.root, date(2026, 11, 20))
    generate(repository, [], out, full=False)
    from kehu.markdown import esc

    page_file = out / "customers" / "C2026-0009.md"
    customer = repository.ids("customer").get("C2026-0009")
    if customer is None or not customer.valid:
        return  # unreadable (K001: YAML refuses control characters) or invalid (K101): no page
    body = page_file.read_text(encoding="utf-8").split("---", 2)[-1]
    # compare with the values as YAML read them (a double-quoted "\x85" is a line break, read as a space)
    assert esc(customer.data["name"]) in body
    visit = repository.ids("visit").get("V2026-000009")
    if visit is not None and visit.valid:
        assert esc(visit.data["summary"]) in body
    # the page's own markup is a few fixed tags with kehu classes and no values in them; any
    # other '<' would have come from a record value
    own = re.sub(r'</?(?:div|dl|dt|dd|span)(?: class="kehu-[a-z-]+(?: kehu-[a-z-]+)*"| markdown(?:="span")?)*>', "", body)
    assert "<" not in own


MARKDOWN_BITS = st.sampled_from(["**", "_", "`", "```", "[x](http://example.com/a)", "<script>alert(1)</script>", "{{ x }}",
                                 "{% raw %}", "$$", "|", "#", "> ", "- ", "1. ", "\\", "&amp;", "<!--", "!!! note", "---",
                                 "[^1]", "*[x]: y", ":material-account:", "\u200b", "\u202e"])
SITE_TEXT = st.lists(MARKDOWN_BITS | TEXT, min_size=1, max_size=6).map("".join)


@settings(max_examples=max(2, EXAMPLES // 100), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=SITE_TEXT, notes=SITE_TEXT, summary=SITE_TEXT)
def test_the_whole_site_builds_from_any_text(repo, tmp_path_factory, name, notes, summary):
    """MkDocs and its Markdown extensions, fed any text (Markdown, HTML, template syntax,
    bidi controls) through the records: the build finishes within a minute, the customer's
    page is there, and no record text became markup."""
    import json as _json

    from kehu.check import prepare
    from kehu.site.build import build_site

    def quoted(text):
        return _json.dumps(text, ensure_ascii=False)

    repo.write("records/customers/2026/C2026-0009.yaml", VALID.replace("name: 李强", f"name: {quoted(name)}")
               + f"notes: {quoted(notes)}\n")
    repo.write("records/visits/2026/11/V2026-000009.yaml",
               "id: V2026-000009\ncustomer: C2026-0009\nat: 2026-11-12 10:00:00\nstaff: liuyang\ntype: 电话\n"
               f"summary: {quoted(summary)}\n")
    started = time.perf_counter()
    site = build_site(repo.root, date(2026, 11, 20), out=tmp_path_factory.mktemp("site") / "_site")
    assert time.perf_counter() - started < 60
    customer = prepare(repo.root, date(2026, 11, 20)).ids("customer").get("C2026-0009")
    if customer is None or not customer.valid:
        return  # YAML refuses some control characters (K001): no page, the build still succeeded
    page = (site / "customers" / "C2026-0009" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and 'href="http://example.com' not in page


@pytest.fixture(scope="module")
def base_repository(tmp_path_factory):
    """The fixture repository in git, on branch main; each example works on a branch."""
    from conftest import STAFF, Repo

    r = Repo(tmp_path_factory.mktemp("review") / "company")
    r.write("kehu.yaml", "site_name: 测试装饰公司\n")
    for staff_id, (name, role, dept) in STAFF.items():
        r.staff(staff_id, name, role, dept, extra=f"git:\n  emails: [{staff_id}@example.com]\n")
    r.write("records/policy.yaml", "reclaim_after_days: 60\n")
    r.customer()
    r.customer(id="C2026-0002", phone="13700001111")
    r.visit()
    git(r.root, "init", "-q", "-b", "main")
    git(r.root, "add", "-A")
    git(r.root, "commit", "-q", "-m", "base")
    return r.root


REVIEW_TARGETS = ["records/customers/2026/C2026-0001.yaml", "records/customers/2026/C2026-0002.yaml",
                  "records/visits/2026/11/V2026-000001.yaml", "records/staff/liuyang.yaml", "records/policy.yaml",
                  "records/customers/2026/C2026-0077.yaml", "records/visits/2026/11/V2026-000077.yaml",
                  "records/disposals/2026/D2026-0001.yaml", "schemas/customer.schema.json", "docs/x.bin"]
EDIT = st.one_of(
    st.binary(max_size=120).map(lambda b: ("bytes", b)),
    st.text(max_size=120).map(lambda t: ("text", t)),
    st.lists(st.tuples(st.integers(0, 10_000), YAML_BITS), min_size=1, max_size=4).map(lambda c: ("mutate", c)),
    st.dictionaries(st.sampled_from(["owner", "registered_by", "phones", "customer", "staff", "id", "owner_history",
                                     "registered_at", "at", "active", "role", "records", "approved_by"]),
                    FIELD_VALUES | st.sampled_from(["wangli", "sunmin", "pool", "C2026-0002", "liuyang"]),
                    min_size=1, max_size=3).map(lambda f: ("fields", f)),
    st.just(("delete", None)),
)


@settings(max_examples=max(20, EXAMPLES // 10), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(REVIEW_TARGETS), EDIT), min_size=1, max_size=4),
       author=st.sampled_from(["liuyang@example.com", "sunmin@example.com", "stranger@example.com"]))
def test_review_survives_any_change(base_repository, edits, author):
    """Whatever a branch does to the files -- bytes, text, broken YAML, odd field values,
    deletions -- kehu review answers with findings, never a traceback, within 5 seconds."""
    from kehu.review import run_review

    root = base_repository
    git(root, "checkout", "-q", "-B", "change", "main")
    for path, (how, what) in edits:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if how == "delete":
            target.unlink(missing_ok=True)
        elif how == "bytes":
            target.write_bytes(what)
        elif how == "text":
            target.write_text(what, encoding="utf-8")
        else:
            old = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else ""
            target.write_text(mutate(old, what) if how == "mutate" else _with_fields(old, what), encoding="utf-8")
    git(root, "add", "-A")
    git(root, "-c", f"user.email={author}", "commit", "-q", "--allow-empty", "-m", "change")
    started = time.perf_counter()
    result = run_review(root, "main", None, date(2026, 11, 20))
    assert time.perf_counter() - started < 5
    assert not [f for f in result.findings if "运行出错" in f.message.zh], result.findings
    git(root, "checkout", "-q", "main")


def _with_fields(text: str, fields: dict) -> str:
    import json

    lines = [line for line in text.splitlines() if line.split(":")[0] not in fields]
    return "\n".join(lines) + "\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in fields.items())


# --- the cached re-check after random edits equals a full check -----------------------------

@pytest.fixture(scope="module")
def demo_in_git(tmp_path_factory):
    import shutil

    from conftest import PROJECT

    root = tmp_path_factory.mktemp("incremental") / "demo"
    shutil.copytree(PROJECT / "records", root / "records")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "demo")
    run_check(Settings(root, date(2026, 11, 20), use_cache=True))
    files = sorted(p.relative_to(root).as_posix() for p in (root / "records").rglob("*.yaml"))
    return root, files


RECORD_EDIT = st.one_of(
    st.lists(st.tuples(st.integers(0, 10_000), YAML_BITS), min_size=1, max_size=3).map(lambda c: ("mutate", c)),
    st.dictionaries(st.sampled_from(["customer", "phones", "owner", "stage", "grade", "registered_at", "id", "at",
                                     "staff", "type", "status", "received_at", "milestones", "handler", "name"]),
                    FIELD_VALUES | st.sampled_from(["C2026-0005", "C2025-0001", "C2026-9999", "wujing", "施工",
                                                    "2026-10-01 10:00:00", ["13843923476"]]),
                    min_size=1, max_size=3).map(lambda f: ("fields", f)),
    st.just(("delete", None)),
    st.integers(0, 10**6).map(lambda n: ("copy", n)),
)


@settings(max_examples=max(15, EXAMPLES // 20), deadline=None)
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), RECORD_EDIT), min_size=1, max_size=3))
def test_a_cached_recheck_equals_a_full_check_after_random_edits(demo_in_git, edits):
    import shutil

    root, files = demo_in_git
    today = date(2026, 11, 20)
    try:
        for pick, (how, what) in edits:
            target = root / files[pick % len(files)]
            if how == "delete":
                target.unlink(missing_ok=True)
            elif how == "copy":
                if target.is_file():
                    shutil.copy(target, root / files[what % len(files)].rsplit("/", 1)[0] / f"X{what}.yaml")
            else:
                old = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else ""
                target.write_text(mutate(old, what) if how == "mutate" else _with_fields(old, what), encoding="utf-8")
        cached = run_check(Settings(root, today, use_cache=True))  # its speed: bench/cache.py, not a timed test
        full = run_check(Settings(root, today))
        assert [f.as_dict("zh") for f in cached.findings] == [f.as_dict("zh") for f in full.findings]
        assert (cached.files, cached.records) == (full.files, full.records)
    finally:
        git(root, "checkout", "-q", "--", "records")
        git(root, "clean", "-fdq", "records")


EDGE_TIMES = st.one_of(
    st.datetimes(min_value=__import__("datetime").datetime(1, 1, 2), max_value=__import__("datetime").datetime(9999, 12, 30))
    .map(lambda moment: moment.isoformat(sep=" ", timespec="seconds")),
    st.tuples(st.sampled_from(["0001-01-01", "1899-12-31", "1900-01-01", "2200-12-31", "2201-01-01", "9999-12-31"]),
              st.sampled_from(["", " 00:00:00", " 23:59:59+14:00", "T00:00:00-12:00", "T12:00:00Z"])).map("".join))
EDGE_NUMBERS = st.one_of(st.sampled_from([".inf", "-.inf", ".nan", "1e308", "-0", "0", "1e-320"]),
                         st.integers(-10**20, 10**20).map(str), st.floats(allow_nan=True).map(repr))


@settings(max_examples=max(40, EXAMPLES // 10), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(registered=EDGE_TIMES, consult=EDGE_TIMES, visit=EDGE_TIMES, received=EDGE_TIMES,
       budget=EDGE_NUMBERS, area=EDGE_NUMBERS, today=st.dates(date(1900, 1, 1), date(2200, 12, 31)))
def test_edge_dates_and_numbers_reach_every_output_without_a_crash(repo, tmp_path_factory, registered, consult,
                                                                  visit, received, budget, area, today):
    """Dates and numbers at and beyond what the schema allows, on any `--today` it accepts:
    no rule crashes, and pool, reports, the scorecard, to-do lists, export, CODEOWNERS and the
    site's pages all answer."""
    from kehu.codeowners import generate as codeowners
    from kehu.domain import Visibility
    from kehu.exchange.export import rows, to_csv, to_xlsx
    from kehu.pool import pool_rows
    from kehu.report import todo as todo_output
    from kehu.scorecard import scorecard
    from kehu.site.pages import generate as pages
    from kehu.stats import last_month, last_week, report_tables
    from kehu.todo import todo_list

    repo.write("records/customers/2026/C2026-0009.yaml",
               VALID.replace("registered_at: 2026-05-01 09:00:00", f"registered_at: {registered}")
               .replace("first_consult: 2026-05-01", f"first_consult: {consult}")
               + f"budget_wan: {budget}\nhouse: {{type: 别墅, area_sqm: {area}}}\n")
    repo.visit(id="V2026-000009", customer="C2026-0009", at=visit, folder="2026/11", extra=f"next_contact: {consult}\n")
    repo.write("records/complaints/2026/T2026-0009.yaml",
               f"id: T2026-0009\ncustomer: C2026-0009\nreceived_at: {received}\nchannel: 电话\ncategory: 工期\n"
               "description: 工期拖延\nhandler: zhouhui\nstatus: 受理\n")
    started = time.perf_counter()
    result = run_check(Settings(repo.root, today))
    assert not [f for f in result.findings if "运行出错" in f.message.zh], result.findings
    repository = result.repo
    pool_rows(repository)
    for period in (last_week(today), last_month(today)):
        report_tables(repository, period)
    table = rows(repository, False)
    to_csv(table), to_xlsx(table)
    codeowners(repository)
    view = Visibility(repository)
    todos = todo_list(repository, view)
    todo_output.as_json(todos, todo_output.people(repository, todos, view))
    scorecard(repository, last_month(today), view)
    pages(repository, result.findings, tmp_path_factory.mktemp("pages"), full=False)
    assert time.perf_counter() - started < 20


# --- privacy: numbers and markup typed into any text field never leave a default output ----

def _mobile(second: int, rest: int, style: str) -> str:
    number = f"1{second}{rest:09d}"
    if style == "spaced":
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    if style == "dashed":
        return f"+86 {number[:3]}-{number[3:7]}-{number[7:]}"
    if style == "wide":  # full-width digits, as a Chinese input method types them
        return number.translate({ord(str(n)): chr(0xFF10 + n) for n in range(10)})
    return number


PHONE_TEXT = st.builds(_mobile, st.integers(3, 9), st.integers(0, 10**9 - 1), st.sampled_from(["plain", "spaced", "dashed", "wide"]))
ID_TEXT = st.builds(lambda digits, last: f"{digits:017d}{last}", st.integers(10**16, 10**17 - 1), st.sampled_from("0123456789Xx"))
LANDLINE_TEXT = st.builds(lambda area, number: f"0{area}-{number}", st.sampled_from(["21", "10", "571", "755"]),
                          st.integers(10**7, 10**8 - 1))
MARKUP = st.sampled_from(["<script>alert(1)</script>", "</title>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))"])
# prose around the numbers: any characters but digits (a number glued to more digits is a longer number, not a phone)
PROSE = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Nd")), max_size=8)
SEPARATOR = st.sampled_from([" ", "，", "电话", "：", "Tel", "/", "（", "）"])
NUMBER = st.one_of(PHONE_TEXT, ID_TEXT, LANDLINE_TEXT)
# (the text, the numbers typed into it)
PII_TEXT = st.lists(st.tuples(SEPARATOR, st.one_of(PROSE, MARKUP).map(lambda t: (t, False)) | NUMBER.map(lambda n: (n, True)),
                              SEPARATOR), min_size=1, max_size=4).map(
    lambda parts: ("".join(a + b + c for a, (b, _), c in parts), [b for _, (b, number), _ in parts if number]))
SECRET_NAME = "机密客户甲"  # the 机密 customer's name starts with it: no default output may show it


def _customer(id, registered, text, shared_phone, level):
    return {
        "id": id, "name": (SECRET_NAME if level == "机密" else "") + next(text), "phones": [shared_phone],
        "wechat": next(text), "district": next(text), "community": next(text), "address": next(text),
        "source": {"channel": "老客户介绍", "referrer": next(text)}, "house": {"type": "普通"}, "style": next(text),
        "grade": "B", "stage": "咨询", "owner": "pool", "registered_at": registered, "registered_by": "wangli",
        "confidentiality": level, "survey": {key: next(text) for key in ("age_range", "occupation", "income_range",
                                                                          "decision_maker", "heard_from")},
        "owner_history": [{"owner": "pool", "from": "2026-10-15", "by": "sunmin", "reason": next(text)}],
        "tags": [next(text)], "notes": next(text),
    }


def _visit_and_complaint(n, customer, text):
    visit = {"id": f"V2026-00000{n}", "customer": customer, "at": "2026-10-12 10:00:00", "staff": "wangli", "type": "电话",
             "summary": next(text)}
    complaint = {"id": f"T2026-000{n}", "customer": customer, "received_at": "2026-10-12 09:00:00", "channel": "电话",
                 "category": "工期", "description": next(text), "against": {"department": next(text)}, "handler": "zhouhui",
                 "status": "已解决", "investigation_started_at": "2026-10-12 10:00:00", "replied_at": "2026-10-12 11:00:00",
                 "resolved_at": "2026-10-13 11:00:00", "resolution": next(text),
                 "escalations": [{"level": "部门经理", "at": "2026-10-12 12:00:00", "by": "sunmin", "note": next(text)}],
                 "follow_up": {"at": "2026-10-14 10:00:00", "by": "zhouhui", "satisfied": True, "comment": next(text)}}
    return visit, complaint


def _default_outputs(repository, findings, out) -> dict[str, str]:
    """Every default (masked) output, as text: pages, search index, reports, export, CODEOWNERS."""
    from openpyxl import load_workbook

    from kehu.codeowners import generate as codeowners
    from kehu.domain import Visibility, date_range
    from kehu.exchange.export import rows, to_csv, to_xlsx
    from kehu.report import statistics
    from kehu.site.pages import generate as pages
    from kehu.stats import report_tables

    def cells(book: bytes) -> str:
        import io

        return "\n".join(str(c.value) for sheet in load_workbook(io.BytesIO(book)) for row in sheet.iter_rows() for c in row)

    pages(repository, findings, out, full=False)
    outputs = {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}
    period = date_range(date(2026, 1, 1), date(2026, 11, 20))
    tables = report_tables(repository, period, Visibility(repository))
    outputs["report.md"] = statistics.markdown(period, tables)
    outputs["report.json"] = statistics.as_json(period, tables)
    outputs["report.xlsx"] = cells(statistics.xlsx(period, tables))
    table = rows(repository, False)
    outputs["export.csv"] = to_csv(table).decode("utf-8-sig")
    outputs["export.xlsx"] = cells(to_xlsx(table))
    outputs["CODEOWNERS"] = codeowners(repository)[0]
    return outputs


@settings(max_examples=max(10, EXAMPLES // 20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(PII_TEXT, min_size=60, max_size=60),
       shared=st.builds(_mobile, st.integers(3, 9), st.integers(0, 10**9 - 1), st.sampled_from(["plain", "spaced", "dashed"])))
def test_no_default_output_shows_a_typed_number_a_confidential_name_or_live_markup(repo, tmp_path_factory, texts, shared):
    """Phones, landlines, ID numbers and markup typed into every text field of a 机密 and a
    秘密 customer (who share a phone: K301 names the 机密 one), their visits and complaints:
    no default output -- pages, search index, reports (md/json/xlsx), export (csv/xlsx),
    CODEOWNERS -- shows a number unmasked or the 机密 customer's name, and no page holds
    live markup."""
    import re

    import yaml

    text = iter(t for t, _ in texts)
    records = {"customers/2026/C2026-0008": _customer("C2026-0008", "2026-03-01 09:00:00", text, shared, "机密"),
               "customers/2026/C2026-0009": _customer("C2026-0009", "2026-05-01 09:00:00", text, shared, "秘密")}
    for n, customer in ((8, "C2026-0008"), (9, "C2026-0009")):
        visit, complaint = _visit_and_complaint(n, customer, text)
        records[f"visits/2026/10/{visit['id']}"], records[f"complaints/2026/{complaint['id']}"] = visit, complaint
    for path, data in records.items():
        repo.write(f"records/{path}.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    result = run_check(Settings(repo.root, date(2026, 11, 20)))
    assert all(r.valid for r in result.repo.records if r.id in {d["id"] for d in records.values()}), \
        [f.message.zh for f in result.findings if f.code == "K101"]
    assert "K301" in {f.code for f in result.findings}  # the 秘密 customer's message names the 机密 one

    wide = str.maketrans({chr(0xFF10 + n): str(n) for n in range(10)})
    numbers = set()  # each number as typed, in ASCII digits, and as its digits alone (a mobile without +86)
    for number in [n for _, typed in texts for n in typed] + [shared]:
        digits = re.sub(r"\D", "", number.translate(wide))
        numbers |= {number, number.translate(wide), digits[2:] if number.startswith("+86") else digits}
    outputs = _default_outputs(result.repo, result.findings, tmp_path_factory.mktemp("pages"))
    for name, output in outputs.items():
        shown = [n for n in numbers if n in output]
        assert not shown, (name, shown)
        assert SECRET_NAME not in output, name
        if name.endswith(".md"):  # the charts' own <title>s hold escaped text only: what is left came from a record
            lowered = re.sub(r"<title>[^<]*</title>", "", output).lower()
            assert not [m for m in ("<script", "</title", "<img") if m in lowered], (name, output)
            prose = re.sub(r'<figure class="kehu-chart[^"]*">.*?</figure>', "", lowered, flags=re.S)  # raw HTML: no Markdown
            assert "](javascript:" not in prose, (name, output)
