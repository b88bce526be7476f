"""Records -> Markdown pages. Independent of the site engine, so the engine can change.

Privacy is kehu.domain's `Visibility`, the policy the export and the reports follow too:
phones masked, also where typed into text, addresses reduced to the community, 机密
customers shown as id/owner/stage only, 绝密 customers and everything about them left out --
no page, no search entry, no count. Every value from a record goes through `Site.show`
(masked, then `esc`), so a name like <script> is text on every page and in search, and a
page whose heading holds one sets its title in front matter (`titled`).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from functools import cached_property
from pathlib import Path

from kehu.domain import LOST_STAGES, POOL, Visibility, contract_signed, staff_name, survey_completeness
from kehu.facts import visits_by_customer
from kehu.markdown import esc, titled
from kehu.report import todo as todo_output
from kehu.rules import RULES
from kehu.site import summaries
from kehu.site.forms import write_forms
from kehu.site.problems import DUE_FROM_TODO, SEVERITY, by_owner, open_problems, problems_pages, staff_section
from kehu.site.search import FOLDER, Index
from kehu.site.tables import sortable
from kehu.timeutil import local_date, local_datetime
from kehu.todo import todo_list

NAV = [{"总览": "index.md"}, {"客户": "customers/index.md"}, {"员工": "staff/index.md"}, {"公海": "pool.md"},
       {"问题": "problems/index.md"}, {"逾期": "overdue.md"}, {"报表": "reports/index.md"}, {"规则": "rules/index.md"},
       {"录入": "forms/index.md"}, {"使用说明": "guide.md"}]


class Site:
    def __init__(self, repo, findings, out: Path, full: bool, history: dict, progress=None):
        self.repo, self.out, self.full, self.history = repo, out, full, history
        self.view = Visibility(repo, full)
        self.findings = [f for f in findings if f.record is None or self.view.shows(f.record)]
        self.staff = {r.id: r.data for r in repo.of("staff")}
        self.customers = sorted((c for c in repo.of("customer") if self.view.shows(c.id)), key=lambda r: r.id)
        self.visits = visits_by_customer(repo)
        self.complaints = defaultdict(list)
        self.customer_of = {}  # visit or complaint id -> its customer
        self.appeals = defaultdict(list)
        for kind in ("visit", "complaint", "appeal"):
            for record in repo.of(kind):
                self.customer_of[record.id] = record.data.get("customer")
                if kind != "visit":
                    (self.complaints if kind == "complaint" else self.appeals)[record.data.get("customer")].append(record)
        self.by_record = defaultdict(list)
        for finding in self.findings:
            if finding.record:
                self.by_record[finding.record].append(finding)
        self.pages = 0
        self.written: set[str] = set()
        self.search = Index(self.view.text)  # masks every value it stores
        self.progress = progress or (lambda done, total: None)

    # --- helpers ------------------------------------------------------------------------

    def write(self, relative: str, text: str) -> None:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        # unchanged pages are left alone: `kehu serve` regenerates into a watched folder
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        self.pages += 1
        self.written.add(relative)

    def show(self, value) -> str:
        """A record value on a page: as this site's Visibility shows it (numbers in text
        masked), then escaped."""
        return esc(self.view.text(value))

    def person(self, staff_id, link_from: str | None = None) -> str:
        if staff_id == POOL:
            return "公海"
        name = self.show(staff_name(self.repo, staff_id))
        return f"[{name}]({link_from}staff/{staff_id}.md)" if (staff_id in self.staff and link_from is not None) else name

    def restricted(self, customer) -> bool:
        return self.view.restricts(customer.id)

    def message(self, finding) -> str:
        """The finding's message, or its rule's title where the message may not be shown."""
        return self.view.message(finding, RULES[finding.code].title_for(self.repo.policy).zh)

    @cached_property
    def todos(self):
        """Every duty this site may show: `kehu todo`'s list, computed once per build."""
        return todo_list(self.repo, self.view)

    @cached_property
    def problems(self):
        """The open findings with owner, due date and customer (kehu.site.problems)."""
        return open_problems(self)

    def customer_row(self, c, up: str) -> str:
        """A customer in a list; a 机密 one as id, stage and owner only (no name, grade,
        小区 or registration date)."""
        d, secret = c.data, self.restricted(c)
        name = "（机密）" if secret else self.show(d.get("name"))
        grade, community = ("", "") if secret else (self.show(d.get("grade")), self.show(d.get("community")))
        registered = None if secret else local_date(d.get("registered_at"))
        return (f"| [{c.id}]({up}customers/{c.id}.md) | {name} | {grade} | {self.show(d.get('stage'))} | "
                f"{self.person(d.get('owner'))} | {community} | {registered or ''} |")

    CUSTOMER_HEAD = "| 编号 | 姓名 | 分级 | 阶段 | 客户经理 | 小区 | 登记日期 |\n|---|---|---|---|---|---|---|\n"

    def customer_table(self, customers, up: str, filters: str = "2,3,4,5") -> str:
        """Customers as a list the shared table script (kehu-tables.js) sorts and filters;
        `filters`: the columns of CUSTOMER_HEAD that get a choice box (分级, 阶段, 客户经理, 小区)."""
        return sortable(self.CUSTOMER_HEAD + "\n".join(self.customer_row(c, up) for c in customers), filters)

    # --- pages --------------------------------------------------------------------------

    def generate(self) -> int:
        summaries.dashboard(self)
        self.customer_pages()
        self.staff_pages()
        for page in (summaries.pool_page, summaries.overdue_page, problems_pages, summaries.report_pages,
                     summaries.rule_pages, write_forms):
            page(self)
        self.search.write(self.out / FOLDER)
        self.remove_stale_pages()
        return self.pages

    def remove_stale_pages(self) -> None:
        """`kehu serve` regenerates into the same folder: a customer or staff member whose
        record is gone (or is now hidden) must lose the page too, and so must a rule's 问题
        page once the list fits on one page again."""
        for folder in RECORD_PAGE_FOLDERS:
            for path in (self.out / folder).glob("*.md"):
                if f"{folder}/{path.name}" not in self.written:
                    path.unlink()

    def customer_pages(self) -> None:
        by_year = defaultdict(list)
        total = len(self.customers)
        for n, c in enumerate(self.customers, 1):
            registered = local_date(c.data.get("registered_at"))
            by_year[registered.year if registered else 0].append(c)
            self.write(f"customers/{c.id}.md", self.customer_page(c))
            self.search_entry(c)
            if n % 1000 == 0 or n == total:
                self.progress(n, total)
        years = sorted(by_year, reverse=True)
        lines = ["# 客户", "", f"共 {total} 位客户，按登记年份分页；找人请用右上角的搜索（姓名、小区、拼音、首字母）。", "",
                 "| 年份 | 客户数 |", "|---|---|"]
        lines += [f"| [{y}]({y}.md) | {len(by_year[y])} |" for y in years]
        self.write("customers/index.md", "\n".join(lines) + "\n")
        for year in years:
            self.year_list(year, by_year[year])

    def year_list(self, year: int, customers: list) -> None:
        """customers/<year>.md: the year's customers in one sortable, filterable list; above
        LIST_ROWS, a page per month (customers/<year>-<month>.md) and the year's page links them."""
        if len(customers) <= LIST_ROWS:
            self.write(f"customers/{year}.md", f"# {year} 年登记的客户\n\n" + self.customer_table(customers, "../"))
            return
        by_month = defaultdict(list)
        for c in customers:
            registered = local_date(c.data.get("registered_at"))
            by_month[registered.month if registered else 0].append(c)
        lines = [f"# {year} 年登记的客户", "", f"共 {len(customers)} 位，按登记月份分页（每页一个月，可排序、筛选）。", "",
                 "| 月份 | 客户数 |", "|---|---|"]
        lines += [f"| [{year} 年 {m} 月]({year}-{m:02d}.md) | {len(by_month[m])} |" for m in sorted(by_month)]
        self.write(f"customers/{year}.md", "\n".join(lines) + "\n")
        for m, mine in by_month.items():
            self.write(f"customers/{year}-{m:02d}.md", f"# {year} 年 {m} 月登记的客户\n\n[← {year} 年]({year}.md)\n\n"
                       + self.customer_table(mine, "../"))

    def customer_page(self, c) -> str:
        """Title and actions; what is open on the customer (what to do first); the facts;
        the timeline; who changed the record."""
        d = self.view.customer(c)
        # the page's title (the browser tab, the header) is the id alone; the name appears only in the body
        lines = [titled(c.id, f"{self.show(c.id)} {'' if self.restricted(c) else self.show(d.get('name'))}")]
        lines += ['<div class="kehu-acts" markdown>',
                  f"[修改](../forms/edit.md?id={c.id}){{ .kehu-act }} [写跟进](../forms/visit.md?customer={c.id}){{ .kehu-act }} "
                  f"[投诉登记](../forms/complaint.md?customer={c.id}){{ .kehu-act }}", "</div>", ""]
        facts = [("客户经理", self.person(d.get("owner"), "../")), ("阶段", self.show(d.get("stage")))]
        if self.restricted(c):
            lines += self.facts_list(facts)
            lines += ["!!! note \"机密客户\"", "    按保密制度，本站只显示编号、客户经理和阶段。"]
            return "\n".join(lines) + "\n"
        lines += self.problems_section(c)
        house = d.get("house") or {}
        facts += [
            ("分级", self.show(d.get("grade"))), ("电话", "、".join(self.show(p) for p in d.get("phones", []))),
            ("地区", self.show(d.get("district"))), ("小区", self.show(d.get("community"))),
            ("来源", self.show((d.get("source") or {}).get("channel"))),
            ("房屋", " ".join(self.show(x) for x in (house.get("type"), f"{house['area_sqm']} ㎡" if house.get("area_sqm") else None,
                                                     house.get("condition")) if x)),
            ("预算", f"{self.show(d.get('budget_wan'))} 万" if d.get("budget_wan") is not None else ""),
            ("设计师", self.person(d.get("designer"), "../") if d.get("designer") else ""),
            ("登记", f"{self.show(local_datetime(d.get('registered_at')) or '')}，{self.person(d.get('registered_by'), '../')}"),
        ]
        if d.get("address"):
            facts.append(("地址", self.show(d.get("address"))))
        lines += ["## 基本情况", ""] + self.facts_list(facts)
        events = [(when, f"{self.show(v.data.get('type'))} · {self.person(v.data.get('staff'), '../')}", v.data.get("summary"))
                  for when, v in self.visits.get(c.id, ())]
        events += [(local_datetime(t.data.get("received_at")),
                    f"投诉（{self.show(t.data.get('category'))}，{self.show(t.data.get('status'))}）", t.data.get("description"))
                   for t in self.complaints.get(c.id, ())]
        events += [(local_datetime(a.data.get("filed_at")), f"申诉 {self.show(a.id)}（{self.show(a.data.get('status'))}，"
                    f"{self.person(a.data.get('filed_by'), '../')} 对 {self.person(a.data.get('against'), '../')}）",
                    "；".join(f"{s.get('level')}：{s.get('decision') or '待答复'}" for s in a.data.get("steps") or []
                             if isinstance(s, dict)) or a.data.get("reason"))
                   for a in self.appeals.get(c.id, ())]
        events = sorted((e for e in events if e[0]), key=lambda e: e[0], reverse=True)
        if events:
            lines += ["## 时间线", "", "| 时间 | 事项 | 内容 |", "|---|---|---|"]
            lines += [f"| {when:%Y-%m-%d %H:%M} | {what} | {self.show(text)} |" for when, what, text in events] + [""]
        changes = self.history.get(c.file, [])
        if changes:
            lines += ["## 修改记录", "", "| 时间 | 谁 | 说明 |", "|---|---|---|"]
            lines += [f"| {ch.when:%Y-%m-%d %H:%M} | {self.show(ch.author)} | {self.show(ch.subject)} |" for ch in changes] + [""]
        return "\n".join(lines) + "\n"

    @staticmethod
    def facts_list(facts: list[tuple[str, str]]) -> list[str]:
        """Label/value pairs as a definition list (a grid on wide screens); empty values left out."""
        return (['<dl class="kehu-facts" markdown>'] + [f'<dt>{k}</dt>\n<dd markdown="span">{v}</dd>' for k, v in facts if v]
                + ["</dl>", ""])

    @cached_property
    def problems_by_customer(self) -> dict:
        """Per customer: its open problems (kehu.site.problems, the one source), then the duties
        of `kehu todo` on it not reported missed yet (as todo dictionaries, masked)."""
        problems, duties = defaultdict(list), defaultdict(list)
        for p in self.problems:
            if p.customer:
                problems[p.customer].append(p)
        # a duty whose missing the finding reports (same code, same record) is that problem; K403's
        # duty (this month's visits) is not its finding (last month's), so it stays
        reported = {(p.code, p.finding.record) for p in self.problems if p.code in DUE_FROM_TODO}
        for t in self.todos.items:
            if t.customer and (t.code, t.record.id) not in reported:
                duties[t.customer].append(todo_output.item(self.repo, self.todos, t, self.view))
        return {c: (problems.get(c, []), duties.get(c, [])) for c in {*problems, *duties}}

    def problems_section(self, c) -> list[str]:
        """What is open on the customer, soonest due first: the open findings on the customer and
        on its visits, complaints and appeals (severity, rule, message, due date where known),
        then the duties not missed yet with their due dates."""
        problems, duties = self.problems_by_customer.get(c.id, ([], []))
        if not problems and not duties:
            return ["## 待处理", "", "没有待处理的问题。", ""]
        today = self.repo.today
        items = []
        for p in problems:
            f = p.finding
            due = "" if p.due is None else self.due(str(p.due), todo_output.when({"days_left": (p.due - today).days}),
                                                     p.due < today)
            severity = "error" if f.severity == "error" else "warning"
            items.append(f'- <span class="kehu-sev kehu-sev--{severity}">{SEVERITY[severity]}</span> '
                         f"[{f.code}](../rules/{f.code}.md) {self.show(self.message(f))}{due}")
        for i in duties:
            items.append(f'- <span class="kehu-sev kehu-sev--todo">待办</span> [{i["code"]}](../rules/{i["code"]}.md) '
                         f"{self.show(i['kind_name'])}：{self.show(i['message'])}"
                         f"{self.due(i['due'], todo_output.when(i), i['urgency'] == 'overdue')}")
        return [f"## 待处理（{len(items)}）", "", *items, ""]

    @staticmethod
    def due(day: str, left: str, late: bool) -> str:
        return f' <span class="kehu-due{" kehu-due--late" if late else ""}">到期 {day}（{left}）</span>'

    def search_entry(self, c) -> None:
        """The customer in search as in a list (kehu.site.search: a 机密 one as id, owner, stage)."""
        d, owner = c.data, c.data.get("owner")
        self.search.customer(c.id, d.get("name"), owner, "公海" if owner == POOL else staff_name(self.repo, owner),
                             d.get("community"), d.get("district"), d.get("stage"), d.get("grade"), self.restricted(c))

    def staff_pages(self) -> None:
        owned = defaultdict(list)
        for c in self.customers:
            owned[c.data.get("owner")].append(c)
        required = self.repo.policy["survey_required"]
        todos = self.todos
        owners = by_owner(self.problems)
        rows = []
        for staff_id, data in sorted(self.staff.items()):
            mine = owned.get(staff_id, [])
            open_problems_count = len(owners.get(staff_id, []))
            signed = [c for c in self.customers
                      if contract_signed(c.data) and staff_id in (c.data.get("designer"), c.data.get("owner"))]
            filled = [survey_completeness(c.data, required) for c in signed] if required else []
            rate = f"{100 * sum(filled) / len(filled):.0f}%" if filled else "—"
            state = "" if data.get("active") is not False else "（已离职）"
            rows.append(f"| [{self.show(data.get('name'))}]({staff_id}.md){state} | {self.show(data.get('role'))} | "
                        f"{self.show(data.get('department'))} | {len(mine)} | {open_problems_count} | {rate} |")
            lines = [titled(self.view.text(f"{data.get('name')}（{staff_id}）")),
                     f"{self.show(data.get('role'))} · {self.show(data.get('department'))}{state}", "",
                     f"名下客户 **{len(mine)}** 位；未解决的问题 **{open_problems_count}** 个；调查表完整率 **{rate}**"
                     f"（{len(signed)} 位签约客户，按政策 survey_required 的 {len(required)} 项计）。", ""]
            lines += self.todo_section(todos, staff_id)
            lines += staff_section(self, staff_id)
            if mine:
                lines += self.owned_section(mine)
            self.write(f"staff/{staff_id}.md", "\n".join(lines) + "\n")
            self.search.person(staff_id, data.get("name"), f"staff/{staff_id}/",
                               " · ".join(str(x) for x in (data.get("role"), data.get("department")) if x) + state)
        self.write("staff/index.md", "# 员工\n\n| 姓名 | 岗位 | 部门 | 名下客户 | 问题 | 调查表完整率 |\n"
                                     "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")


    def owned_section(self, mine: list) -> list[str]:
        """名下客户, sortable and filterable. Above LIST_ROWS the customers still in play only,
        the lost (流失) ones counted (a customer manager of the 20,000-customer bench owns 4,800,
        3,200 of them lost), with the year lists to find them."""
        many = len(mine) > LIST_ROWS
        lost = [c for c in mine if many and c.data.get("stage") in LOST_STAGES]
        active = [c for c in mine if not many or c.data.get("stage") not in LOST_STAGES]
        lines = ["## 名下客户", ""]
        if active:
            lines.append(self.customer_table(active, "../", "2,3,5"))
        if lost:
            lines += [f"另有已流失客户 **{len(lost)}** 位，见[各年客户列表](../customers/index.md)（可按客户经理、阶段筛选）。", ""]
        return lines

    def todo_section(self, todos, staff_id) -> list[str]:
        """The person's to-do list, as `kehu todo` and the morning e-mail have it."""
        items = [todo_output.item(self.repo, todos, t, self.view) for t in todos.of(staff_id)]
        hidden = todos.hidden.get(staff_id, 0)
        if not items and not hidden:
            return []
        lines = [f"## 待办（{len(items)} 项，截至 {todos.today}）", "", "| 到期 | 剩余 | 事项 | 客户 | 说明 |", "|---|---|---|---|---|"]
        for i in items:
            left = todo_output.when(i) if i["urgency"] == "soon" else f"**{todo_output.when(i)}**"
            who = self.show(todo_output.about(i))
            if f"customers/{i['customer']}.md" in self.written:
                who = f"[{who}](../customers/{i['customer']}.md)"
            lines.append(f"| {i['due']} | {left} | {self.show(i['kind_name'])} | {who} | {self.show(i['message'])} |")
        if hidden:
            lines += ["", self.show(todo_output.hidden_note(hidden))]
        return lines + [""]


# rows in one list page: at 2,000 a list loads in 2-3 s in headless chromium on a busy 2-core
# machine, at 11,000 (a year of the 20,000-customer bench) in 15-25 s
LIST_ROWS = 2000
# one generated page per record, or per rule of the 问题 list: a page not written this time goes
RECORD_PAGE_FOLDERS = ("customers", "staff", "problems")


def generate(repo, findings, out: Path, full: bool, history: dict | None = None, progress=None) -> int:
    """Write every page under `out`; returns the number of pages."""
    return Site(repo, findings, out, full, history or {}, progress).generate()


def print_progress(done: int, total: int) -> None:
    print(f"\r生成客户页面 {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)
