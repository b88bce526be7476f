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

from kehu.domain import POOL, Visibility, contract_signed, staff_name, survey_completeness
from kehu.facts import visits_by_customer
from kehu.markdown import esc, titled
from kehu.report import todo as todo_output
from kehu.rules import RULES
from kehu.site import summaries
from kehu.site.forms import write_forms
from kehu.site.problems import by_owner, open_problems, problems_pages, staff_section
from kehu.site.search import FOLDER, Index
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
            rows = [self.customer_row(c, "../") for c in by_year[year]]
            self.write(f"customers/{year}.md", f"# {year} 年登记的客户\n\n" + self.CUSTOMER_HEAD + "\n".join(rows) + "\n")

    def customer_page(self, c) -> str:
        d = self.view.customer(c)
        # the page's title (the browser tab, the header) is the id alone; the name appears only in the body
        lines = [titled(c.id, f"{self.show(c.id)} {'' if self.restricted(c) else self.show(d.get('name'))}")]
        lines += [f"[修改](../forms/edit.md?id={c.id}){{ .kehu-act }} [写跟进](../forms/visit.md?customer={c.id}){{ .kehu-act }} "
                  f"[投诉登记](../forms/complaint.md?customer={c.id}){{ .kehu-act }}", ""]
        facts = [("客户经理", self.person(d.get("owner"), "../")), ("阶段", self.show(d.get("stage")))]
        if self.restricted(c):
            lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in facts]
            lines += ["", "!!! note \"机密客户\"", "    按保密制度，本站只显示编号、客户经理和阶段。"]
            return "\n".join(lines) + "\n"
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
        lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in facts if v] + [""]
        own = self.by_record.get(c.id, []) + [f for v in self.visits.get(c.id, ()) for f in self.by_record.get(v[1].id, [])] + [
            f for t in (*self.complaints.get(c.id, ()), *self.appeals.get(c.id, ())) for f in self.by_record.get(t.id, [])]
        if own:
            lines += ["## 待处理的问题", ""] + [f"- **[{f.code}](../rules/{f.code}.md)** {self.show(self.message(f))}"
                                               for f in own] + [""]
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
                lines += ["## 名下客户", "", self.CUSTOMER_HEAD + "\n".join(self.customer_row(c, "../") for c in mine)]
            self.write(f"staff/{staff_id}.md", "\n".join(lines) + "\n")
            self.search.person(staff_id, data.get("name"), f"staff/{staff_id}/",
                               " · ".join(str(x) for x in (data.get("role"), data.get("department")) if x) + state)
        self.write("staff/index.md", "# 员工\n\n| 姓名 | 岗位 | 部门 | 名下客户 | 问题 | 调查表完整率 |\n"
                                     "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")


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


# one generated page per record, or per rule of the 问题 list: a page not written this time goes
RECORD_PAGE_FOLDERS = ("customers", "staff", "problems")


def generate(repo, findings, out: Path, full: bool, history: dict | None = None, progress=None) -> int:
    """Write every page under `out`; returns the number of pages."""
    return Site(repo, findings, out, full, history or {}, progress).generate()


def print_progress(done: int, total: int) -> None:
    print(f"\r生成客户页面 {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)
