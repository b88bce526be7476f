"""The open findings as work to do: who must act, by when, about which customer.

`open_problems` is the one place that decides this; the problems page (问题), each staff
page's 问题 section, the 逾期与待办 page and the dashboard's 需要马上处理 panel all read it.

- Which findings: every finding the site may show (`Site.findings`) that is still open
  (`Finding.open`: not excepted, not a deadline missed on work already finished), except
  those about a 绝密 customer (an appeal's, say), which the site leaves out altogether.
- Who: the person of the duty `kehu todo` lists for it (kehu.todo, the same deadline facts
  the rule asked); otherwise the person the record names as responsible: a customer's
  owner, a visit's staff, a complaint's handler, an appeal's filer, the staff member a
  staff record is about. File-level findings (a file that is not YAML) name nobody.
- By when: the duty's due date, where the duty is the very one the finding reports missed
  (DUE_FROM_TODO; K403's duty is this month's visits while its finding is about last
  month's), and each complaint step's working-day deadline. None for a 机密 customer: a
  date tells when it was last visited, as the 公海 page knows.
- The customer's name as lists show it: （机密） for 机密, escaped through `Site.show`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import quote

from kehu.domain import POOL
from kehu.facts import complaint_deadline
from kehu.findings import Finding
from kehu.markdown import esc
from kehu.report import todo as todo_output
from kehu.rules import RULES

# codes whose duty in kehu.todo is the one the finding reports missed (same record, same deadline)
DUE_FROM_TODO = {"K401", "K402", "K404", "K406", "K408", "K501", "K502", "K503", "K504", "K601", "K602"}
COMPLAINT_STEP = {"K501": "investigation", "K502": "reply", "K503": "resolution"}
RESPONSIBLE = {"customer": "owner", "visit": "staff", "complaint": "handler", "appeal": "filed_by"}
SEVERITY = {"error": "错误", "warning": "警告"}
PAGE = "problems/index.md"
# rows on one page. Measured with the demo's rows repeated (real Material page, headless chromium,
# a loaded 2-core machine): 2,000 rows = 0.72 MB, ready in ~3 s; 4,000 = 1.4 MB, 6-10 s; a
# filter takes < 100 ms either way. Beyond it the page keeps the counts and each rule's list
# gets a page of its own (problems/K401.md), a rule with more rows several, whole persons to a page.
ONE_PAGE_ROWS = 2000
WIDE = "---\nhide:\n  - toc\n---\n"  # Material's page meta: the list gets the table of contents' width too
HEAD = ("规则", "级别", "记录", "客户", "负责人", "部门", "期限", "说明")
FILTERS = "0,1,4,5"  # 规则, 级别, 负责人, 部门: kehu-tables.js gives each a <select>


@dataclass(frozen=True)
class Problem:
    finding: Finding
    owner: str | None  # staff id (or POOL) who must act
    due: date | None
    customer: str | None  # the customer it is about, as shown by this site
    name: str  # that customer's name on a page: escaped, （机密） for a 机密 one, "" for none
    has_page: bool  # the customer has a page on this site

    @property
    def code(self) -> str:
        return self.finding.code


def open_problems(site) -> list[Problem]:
    """Every open finding the site may show, with owner, due date and customer; soonest due
    first (none last), errors before warnings."""
    repo, view = site.repo, site.view
    customers = repo.ids("customer")
    with_page = {c.id for c in site.customers}
    duties = {}
    for todo in site.todos.items:
        if todo.code in DUE_FROM_TODO:
            duties.setdefault((todo.code, todo.record.id), todo)
    kinds = {kind: repo.ids(kind) for kind in (*RESPONSIBLE, "staff")}
    problems = []
    for f in site.findings:
        if not f.open or _hidden_file(f, view, customers):
            continue
        customer = f.record if f.record in customers else site.customer_of.get(f.record)
        customer = customer if isinstance(customer, str) else None  # an invalid record may hold anything there
        if customer is not None and not view.shows(customer):
            continue  # 绝密: nothing about it, not even through an appeal
        duty = duties.get((f.code, f.record))
        owner = duty.staff if duty else _responsible(f.record, kinds)
        due = duty.due if duty else _complaint_due(repo, f, kinds["complaint"])
        secret = customer is not None and view.restricts(customer) or f.record in view.about_restricted
        record = customers.get(customer)
        name = "（机密）" if customer and view.restricts(customer) else site.show(record.data.get("name")) if record else ""
        problems.append(Problem(f, owner, None if secret else due, customer, name, customer in with_page))
    problems.sort(key=lambda p: (p.due is None, p.due or date.min, p.finding.severity != "error", p.code,
                                 p.finding.record or "", p.finding.file or ""))
    return problems


def _hidden_file(f: Finding, view, customers) -> bool:
    """A file-level finding (no record) in the file of a customer the site leaves out."""
    if f.record is not None or not f.file:
        return False
    stem = PurePosixPath(f.file).stem
    return stem in customers and not view.shows(stem)


def _responsible(record_id, kinds) -> str | None:
    if record_id is None:
        return None
    if record_id in kinds["staff"]:
        return record_id
    for kind, field in RESPONSIBLE.items():
        record = kinds[kind].get(record_id)
        if record is not None:
            value = record.data.get(field)
            return value if isinstance(value, str) else None
    return None


def _complaint_due(repo, f: Finding, complaints) -> date | None:
    """A complaint step's deadline where kehu.todo lists only the next step."""
    complaint = complaints.get(f.record) if f.code in COMPLAINT_STEP else None
    deadline = complaint_deadline(repo, complaint, COMPLAINT_STEP[f.code]) if complaint is not None else None
    return deadline.due if deadline else None


def by_owner(problems) -> dict[str | None, list[Problem]]:
    mine = defaultdict(list)
    for p in problems:
        mine[p.owner].append(p)
    return mine


def filtered(page: str, column: str, value: str) -> str:
    """A link to a list that opens filtered: kehu-tables.js reads ?<column heading>=<cell text>."""
    return f"{page}?{quote(column, safe='')}={quote(value, safe='')}"


def row(site, p: Problem, up: str) -> str:
    """One problem as a table row of HEAD; `up` leads from the page to the site's root."""
    f = p.finding
    if p.customer and p.has_page:
        record = f"[{esc(f.record or p.customer)}]({up}customers/{p.customer}.md)"
    elif f.record in site.staff:
        record = f"[{esc(f.record)}]({up}staff/{f.record}.md)"
    else:
        record = esc(f.record or f.file or "").replace("/", "/<wbr>")  # a long path may wrap at its folders
    department = site.show(site.staff.get(p.owner, {}).get("department")) if p.owner else ""
    owner = site.person(p.owner, up) if p.owner else "—"
    overdue = p.due is not None and p.due < site.repo.today
    tag = "strong" if overdue else "span"
    due = "" if p.due is None else f'<{tag} class="kehu-date">{p.due}</{tag}>'  # 2026-11-10 on one line
    # about a 机密 customer (an appeal's, say), the rule's title only, as for its own records
    message = (RULES[f.code].title_for(site.repo.policy).zh if p.customer and site.view.restricts(p.customer)
               else site.message(f))
    return (f"| [{f.code}]({up}rules/{f.code}.md) | {SEVERITY.get(f.severity, esc(f.severity))} | {record} | {p.name} | "
            f"{owner} | {department} | {due} | {site.show(message)} |")


def table(site, problems, up: str) -> str:
    """The wrapped, filterable list (site/overrides/assets/kehu-tables.js)."""
    lines = [f'<div class="kehu-table kehu-problems" data-filters="{FILTERS}" markdown>', "",
             "| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += [row(site, p, up) for p in problems]
    return "\n".join(lines + ["", "</div>", ""])


def person_label(site, staff_id) -> str:
    """The owner as the table's 负责人 cell reads (the text its filter matches)."""
    return site.view.text(site.staff.get(staff_id, {}).get("name", staff_id)) if staff_id != POOL else "公海"


def problems_pages(site) -> None:
    """问题: counts per person and per rule, then every open problem in one filterable list;
    above ONE_PAGE_ROWS the lists go to one page per rule."""
    problems = site.problems
    today = site.repo.today
    split = len(problems) > ONE_PAGE_ROWS
    errors = sum(p.finding.severity == "error" for p in problems)
    overdue = sum(p.due is not None and p.due < today for p in problems)
    lines = [WIDE, "# 问题", "",
             f"截至 {today}：未解决的问题 **{len(problems)}** 个（错误 {errors}、警告 {len(problems) - errors}），"
             f"其中 **{overdue}** 个已过期限。已豁免的、已完成但逾期的不在此列；机密客户只显示编号，不显示姓名和期限。", ""]
    lines += ["## 按负责人", "", "| 负责人 | 部门 | 错误 | 警告 | 已过期限 | 合计 |", "|---|---|---|---|---|---|"]
    owners = by_owner(problems)
    for staff_id, mine in sorted(owners.items(), key=lambda kv: (-len(kv[1]), str(kv[0]))):
        if staff_id is None:
            who = "（未指定）"
        elif split and staff_id in site.staff:  # the person's whole list is on their staff page
            who = f"[{site.show(person_label(site, staff_id))}](../staff/{staff_id}.md#problems)"
        else:  # the list below, filtered to them
            label = person_label(site, staff_id)
            who = f"[{site.show(label)}]({filtered('./', '负责人', label)})"
        department = site.show(site.staff.get(staff_id, {}).get("department")) if staff_id else ""
        e = sum(p.finding.severity == "error" for p in mine)
        late = sum(p.due is not None and p.due < today for p in mine)
        lines.append(f"| {who} | {department} | {e} | {len(mine) - e} | {late} | {len(mine)} |")
    codes = Counter(p.code for p in problems)
    lines += ["", "## 按规则", "", "| 规则 | 说明 | 级别 | 数量 |", "|---|---|---|---|"]
    for code in sorted(codes):
        title = esc(RULES[code].title_for(site.repo.policy).zh)
        target = f"{code}.md" if split else filtered("./", "规则", code)
        severity = "、".join(sorted({SEVERITY.get(p.finding.severity, "") for p in problems if p.code == code}))
        lines.append(f"| [{code}]({target}) | {title} | {severity} | {codes[code]} |")
    lines.append("")
    if split:
        lines += ["## 全部问题", "", f"问题超过 {ONE_PAGE_ROWS} 个，按规则分页列出（见上表）；每个人的全部问题在其员工页。", ""]
        for code in sorted(codes):
            rule_pages(site, code, [p for p in problems if p.code == code])
    else:
        lines += ["## 全部问题", "", table(site, problems, "../")]
    site.write(PAGE, "\n".join(lines) + "\n")


def rule_pages(site, code: str, problems: list[Problem]) -> None:
    """problems/CODE.md, or CODE.md, CODE-2.md ... each holding whole persons' rows."""
    title = RULES[code].title_for(site.repo.policy).zh
    parts = packed(problems)
    names = [f"problems/{code}.md"] + [f"problems/{code}-{n}.md" for n in range(2, len(parts) + 1)]
    listing = ""
    if len(parts) > 1:
        owners = ["、".join(dict.fromkeys(site.show(person_label(site, p.owner)) if p.owner else "（未指定）" for p in part))
                  for part in parts]
        listing = (f"本规则的问题超过 {ONE_PAGE_ROWS} 个，按负责人分 {len(parts)} 页：" + " · ".join(
            f"[第 {n} 页]({PurePosixPath(name).name})（{who}）" for n, (name, who) in enumerate(zip(names, owners), 1)) + "\n\n")
    for name, part in zip(names, parts):
        site.write(name, f"{WIDE}# {code} {esc(title)}（{len(problems)}）\n\n[← 全部问题](index.md)\n\n{listing}"
                   + table(site, part, "../"))


def packed(problems: list[Problem]) -> list[list[Problem]]:
    """The rows in pages of at most ONE_PAGE_ROWS, never splitting one person's rows (unless
    that person alone has more), each page in the list's order."""
    mine = by_owner(problems)
    pages, page = [], []
    for owner in sorted(mine, key=lambda o: (o is None, str(o))):
        if page and len(page) + len(mine[owner]) > ONE_PAGE_ROWS:
            pages.append(page)
            page = []
        page += mine[owner]
    pages.append(page)
    order = {id(p): n for n, p in enumerate(problems)}
    return [sorted(part, key=lambda p: order[id(p)]) for part in pages]


def staff_section(site, staff_id) -> list[str]:
    """The person's open problems, as the problems page lists them."""
    mine = by_owner(site.problems).get(staff_id, [])
    if not mine:
        return []
    return [f"## 问题（{len(mine)}） {{#problems}}", "", "该员工负责的未解决问题（[全部问题](../problems/index.md)）。", "",
            table(site, mine, "../")]


URGENT_ROWS = 12  # the panel shows the most urgent; the rest are a click away


def urgent_panel(site) -> list[str]:
    """The dashboard's 需要马上处理: overdue 公海 clocks and complaint deadlines and whatever is
    due today, from `kehu todo`'s list (Site.todos), most urgent first; then counts of the open
    problems, each linking to the problems page filtered to them."""
    today = site.repo.today
    urgent = [t for t in site.todos.items
              if t.due == today or (t.due < today and t.kind in ("reclaim", "complaint"))]
    problems = site.problems
    late = [p for p in problems if p.due is not None and p.due < today]
    errors = sum(p.finding.severity == "error" for p in problems)
    reclaim = sum(p.code == "K401" for p in problems)
    complaints = sum(p.code in COMPLAINT_STEP for p in problems)
    by_rule = "、".join(f"[{code}]({filtered(PAGE, '规则', code)})" for code in COMPLAINT_STEP)
    lines = ['<div class="kehu-urgent" markdown>', "", "## 需要马上处理 {#urgent}", "",
             f"[未解决的问题 **{len(problems)}** 个]({PAGE})（错误 {errors}、警告 {len(problems) - errors}）· "
             f"已过期限 **{len(late)}** · [到期可收回公海 **{reclaim}**]({filtered(PAGE, '规则', 'K401')}) · "
             f"投诉超期 **{complaints}**（{by_rule}）· 今天到期的待办 **{sum(t.due == today for t in site.todos.items)}**", ""]
    if not urgent:
        return lines + ["今天没有已超期的公海收回、投诉时限，也没有今天到期的待办。", "", "</div>", ""]
    lines += ["| 期限 | 事项 | 客户 | 姓名 | 负责人 | 说明 |", "|---|---|---|---|---|---|"]
    with_page = {c.id for c in site.customers}
    for todo in urgent[:URGENT_ROWS]:
        entry = todo_output.item(site.repo, site.todos, todo, site.view)
        restricted = todo.customer is not None and site.view.restricts(todo.customer)
        if restricted:
            name, due = "（机密）", "—"  # a date tells when it was last visited
        else:
            name, due = site.show(entry["customer_name"]), f"{todo.due}（{todo_output.when(entry)}）"
        customer = (f"[{esc(todo.customer)}](customers/{todo.customer}.md)"
                    if todo.customer in with_page else esc(todo.customer or todo.record.id))
        lines.append(f"| {due} | {site.show(entry['kind_name'])} | {customer} | {name} | {site.person(todo.staff, '')} | "
                     f"{site.show(entry['message'])} |")
    if len(urgent) > URGENT_ROWS:
        lines += ["", f"另有 {len(urgent) - URGENT_ROWS} 项，见各人的员工页（待办）和[问题](problems/index.md)页。"]
    return lines + ["", "</div>", ""]
