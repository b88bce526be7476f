"""Records -> Markdown pages. Independent of the site engine, so the engine can change.

Privacy is decided here, once (`Visibility`): phones masked, addresses reduced to the
community, 机密 customers shown as id/owner/stage only, 绝密 customers and everything about
them left out — no page, no search entry, no count. Every value from a record goes through
`esc`, so a name like <script> is text on every page and in search.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from kehu.facts import POOL, mask_phone, visits_by_customer
from kehu.markdown import esc
from kehu.pool import pool_rows
from kehu.report.statistics import markdown
from kehu.rules import RULES
from kehu.site import charts
from kehu.site.search import entry, spellings
from kehu.stats import last_month, last_week, report_tables
from kehu.timeutil import local_date, local_datetime

OVERDUE_CODES = {"K401": "公海到期", "K402": "公海将到期", "K403": "回访不足", "K404": "方案后未回访",
                 "K501": "投诉未及时调查", "K502": "投诉未及时答复", "K503": "投诉未及时解决", "K504": "投诉未回访",
                 "K601": "预案超期", "K602": "方案超期", "K604": "巡检间隔过长"}
FUNNEL = (("咨询", None), ("量房", "site_measured"), ("方案", "plan_delivered"), ("报价", "quoted"),
          ("签约", "contract_signed"))
NAV = [{"总览": "index.md"}, {"客户": "customers/index.md"}, {"员工": "staff/index.md"}, {"公海": "pool.md"},
       {"逾期": "overdue.md"}, {"报表": "reports/index.md"}, {"规则": "rules/index.md"}, {"使用说明": "guide.md"}]


class Visibility:
    """What the site may show of each customer."""

    def __init__(self, repo, full: bool):
        self.full = full
        self.level = {c.id: c.data.get("confidentiality", "秘密") for c in repo.of("customer")}
        self.hidden = set() if full else {i for i, level in self.level.items() if level == "绝密"}
        self.restricted = set() if full else {i for i, level in self.level.items() if level == "机密"}
        for kind in ("visit", "complaint"):  # a hidden customer's visits and complaints are hidden too
            for record in repo.of(kind):
                if record.data.get("customer") in self.hidden:
                    self.hidden.add(record.id)

    def shows(self, record_id) -> bool:
        return record_id not in self.hidden

    def message(self, finding) -> str:
        if finding.record in self.restricted or any(h in finding.message.zh for h in self.hidden if h.startswith("C")):
            return RULES[finding.code].title.zh
        return finding.message.zh


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
        for kind in ("visit", "complaint"):
            for record in repo.of(kind):
                self.customer_of[record.id] = record.data.get("customer")
                if kind == "complaint":
                    self.complaints[record.data.get("customer")].append(record)
        self.by_record = defaultdict(list)
        for finding in self.findings:
            if finding.record:
                self.by_record[finding.record].append(finding)
        self.pages = 0
        self.written: set[str] = set()
        self.search: list[dict] = []
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

    def person(self, staff_id, link_from: str | None = None) -> str:
        if staff_id == POOL:
            return "公海"
        data = self.staff.get(staff_id)
        name = esc(data["name"]) if data else esc(staff_id)
        return f"[{name}]({link_from}staff/{staff_id}.md)" if (data and link_from is not None) else name

    def restricted(self, customer) -> bool:
        return customer.id in self.view.restricted

    def customer_row(self, c, up: str) -> str:
        d = c.data
        name = "（机密）" if self.restricted(c) else esc(d.get("name"))
        community = "" if self.restricted(c) else esc(d.get("community"))
        registered = local_date(d.get("registered_at"))
        return (f"| [{c.id}]({up}customers/{c.id}.md) | {name} | {esc(d.get('grade'))} | {esc(d.get('stage'))} | "
                f"{self.person(d.get('owner'))} | {community} | {registered or ''} |")

    CUSTOMER_HEAD = "| 编号 | 姓名 | 分级 | 阶段 | 客户经理 | 小区 | 登记日期 |\n|---|---|---|---|---|---|---|\n"

    # --- pages --------------------------------------------------------------------------

    def generate(self) -> int:
        self.dashboard()
        self.customer_pages()
        self.staff_pages()
        self.pool_page()
        self.overdue_page()
        self.report_pages()
        self.rule_pages()
        self.write("assets/kehu-search.json", json.dumps(self.search, ensure_ascii=False, separators=(",", ":")))
        self.remove_stale_pages()
        return self.pages

    def remove_stale_pages(self) -> None:
        """`kehu serve` regenerates into the same folder: a customer or staff member whose
        record is gone (or is now hidden) must lose the page too."""
        for folder in RECORD_PAGE_FOLDERS:
            for path in (self.out / folder).glob("*.md"):
                if f"{folder}/{path.name}" not in self.written:
                    path.unlink()

    def dashboard(self) -> None:
        customers = [c.data for c in self.customers]
        errors = sum(f.severity == "error" for f in self.findings)
        months = Counter()
        for d in customers:
            when = local_date(d.get("registered_at"))
            if when:
                months[f"{when:%Y-%m}"] += 1
        funnel = [(label, sum(1 for d in customers if key is None or (d.get("milestones") or {}).get(key)))
                  for label, key in FUNNEL]
        visible_complaints = [t for t in self.repo.of("complaint") if self.view.shows(t.id)]
        late = {f.record for f in self.findings if f.code in ("K501", "K502", "K503")}
        on_time = 100 * (1 - len(late & {t.id for t in visible_complaints}) / len(visible_complaints)) if visible_complaints else 100

        def ordered(counter):
            return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))

        stage_order = self.repo.schemas.vocabulary("stage")
        parts = [
            "# 客户档案总览", "",
            f"截至 {self.repo.today.isoformat()}：客户 **{len(customers)}** 位，回访 **{sum(len(self.visits.get(c.id, [])) for c in self.customers)}** 次，"
            f"投诉 **{len(visible_complaints)}** 件，投诉按时处理率 **{on_time:.0f}%**；"
            f"检查发现 **{errors}** 个错误、**{len(self.findings) - errors}** 个警告（见[逾期](overdue.md)）。", "",
            '<div class="kehu-grid" markdown>', "",
            charts.bars("客户按阶段", [(s, sum(1 for d in customers if d.get("stage") == s)) for s in stage_order]),
            charts.bars("客户按分级", [(g, sum(1 for d in customers if d.get("grade") == g))
                                       for g in self.repo.schemas.vocabulary("grade")]),
            charts.bars("客户按来源", ordered(Counter((d.get("source") or {}).get("channel", "未填") for d in customers))),
            charts.bars("客户按地区", ordered(Counter(d.get("district", "未填") for d in customers))[:12]),
            charts.columns("每月新增客户", sorted(months.items())[-24:]),
            charts.funnel("咨询 → 签约 转化", funnel),
            charts.bars("投诉按类别", ordered(Counter(t.data.get("category") for t in visible_complaints))),
            "", "</div>", "",
        ]
        self.write("index.md", "\n".join(parts) + "\n")

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
        d = c.data
        # MkDocs puts a page's title into <title> and the nav unescaped: the title is the id
        # alone (ids are pattern-checked); names appear only in the escaped body.
        lines = ["---", f"title: {c.id}", "---", "", f"# {esc(c.id)} {'' if self.restricted(c) else esc(d.get('name'))}", ""]
        facts = [("客户经理", self.person(d.get("owner"), "../")), ("阶段", esc(d.get("stage")))]
        if self.restricted(c):
            lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in facts]
            lines += ["", "!!! note \"机密客户\"", "    按保密制度，本站只显示编号、客户经理和阶段。"]
            return "\n".join(lines) + "\n"
        phones = [str(p) if self.full else mask_phone(p) for p in d.get("phones", [])]
        house = d.get("house") or {}
        facts += [
            ("分级", esc(d.get("grade"))), ("电话", "、".join(esc(p) for p in phones)),
            ("地区", esc(d.get("district"))), ("小区", esc(d.get("community"))),
            ("来源", esc((d.get("source") or {}).get("channel"))),
            ("房屋", " ".join(esc(x) for x in (house.get("type"), f"{house['area_sqm']} ㎡" if house.get("area_sqm") else None,
                                               house.get("condition")) if x)),
            ("预算", f"{esc(d.get('budget_wan'))} 万" if d.get("budget_wan") is not None else ""),
            ("设计师", self.person(d.get("designer"), "../") if d.get("designer") else ""),
            ("登记", f"{esc(local_datetime(d.get('registered_at')) or '')}，{self.person(d.get('registered_by'), '../')}"),
        ]
        if self.full and d.get("address"):
            facts.append(("地址", esc(d.get("address"))))
        lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in facts if v] + [""]
        own = self.by_record.get(c.id, []) + [f for v in self.visits.get(c.id, ()) for f in self.by_record.get(v[1].id, [])] + [
            f for t in self.complaints.get(c.id, ()) for f in self.by_record.get(t.id, [])]
        if own:
            lines += ["## 待处理的问题", ""] + [f"- **[{f.code}](../rules/{f.code}.md)** {esc(self.view.message(f))}"
                                               for f in own] + [""]
        events = [(when, f"{esc(v.data.get('type'))} · {self.person(v.data.get('staff'), '../')}", v.data.get("summary"))
                  for when, v in self.visits.get(c.id, ())]
        events += [(local_datetime(t.data.get("received_at")), f"投诉（{esc(t.data.get('category'))}，{esc(t.data.get('status'))}）",
                    t.data.get("description")) for t in self.complaints.get(c.id, ())]
        events = sorted((e for e in events if e[0]), key=lambda e: e[0], reverse=True)
        if events:
            lines += ["## 时间线", "", "| 时间 | 事项 | 内容 |", "|---|---|---|"]
            lines += [f"| {when:%Y-%m-%d %H:%M} | {what} | {esc(text)} |" for when, what, text in events] + [""]
        changes = self.history.get(c.file, [])
        if changes:
            lines += ["## 修改记录", "", "| 时间 | 谁 | 说明 |", "|---|---|---|"]
            lines += [f"| {ch.when:%Y-%m-%d %H:%M} | {esc(ch.author)} | {esc(ch.subject)} |" for ch in changes] + [""]
        return "\n".join(lines) + "\n"

    def search_entry(self, c) -> None:
        d = c.data
        owner = self.staff.get(d.get("owner"), {}).get("name", "")
        url = f"customers/{c.id}/"
        if self.restricted(c):
            self.search.append(entry(c.id, url, "客户（机密）", [c.id, owner, d.get("stage")], spellings(owner)))
            return
        title = f"{c.id} {d.get('name', '')}"
        words = [c.id, d.get("name"), d.get("community"), d.get("district"), owner, d.get("stage")]
        self.search.append(entry(title, url, "客户", words, spellings(d.get("name", "")) + spellings(owner)))

    def staff_pages(self) -> None:
        owned = defaultdict(list)
        for c in self.customers:
            owned[c.data.get("owner")].append(c)
        required = self.repo.policy["survey_required"]
        rows = []
        for staff_id, data in sorted(self.staff.items()):
            mine = owned.get(staff_id, [])
            overdue = [f for c in mine for f in self.by_record.get(c.id, []) if f.code in OVERDUE_CODES]
            signed = [c for c in self.customers if (c.data.get("milestones") or {}).get("contract_signed")
                      and staff_id in (c.data.get("designer"), c.data.get("owner"))]
            filled = [sum(1 for k in required if (c.data.get("survey") or {}).get(k) not in (None, "", [])) / len(required)
                      for c in signed] if required else []
            rate = f"{100 * sum(filled) / len(filled):.0f}%" if filled else "—"
            state = "" if data.get("active") is not False else "（已离职）"
            rows.append(f"| [{esc(data.get('name'))}]({staff_id}.md){state} | {esc(data.get('role'))} | "
                        f"{esc(data.get('department'))} | {len(mine)} | {len(overdue)} | {rate} |")
            lines = [f"# {esc(data.get('name'))}（{esc(staff_id)}）", "",
                     f"{esc(data.get('role'))} · {esc(data.get('department'))}{state}", "",
                     f"名下客户 **{len(mine)}** 位；待处理 **{len(overdue)}** 项；调查表完整率 **{rate}**"
                     f"（{len(signed)} 位签约客户，按政策 survey_required 的 {len(required)} 项计）。", ""]
            if overdue:
                lines += ["## 待处理", ""] + [f"- [{f.record}](../customers/{f.record}.md) **{f.code}** {esc(self.view.message(f))}"
                                              for f in overdue] + [""]
            if mine:
                lines += ["## 名下客户", "", self.CUSTOMER_HEAD + "\n".join(self.customer_row(c, "../") for c in mine)]
            self.write(f"staff/{staff_id}.md", "\n".join(lines) + "\n")
            self.search.append(entry(f"{data.get('name')}（{staff_id}）", f"staff/{staff_id}/", "员工",
                                     [data.get("name"), staff_id, data.get("role")], spellings(data.get("name", ""))))
        self.write("staff/index.md", "# 员工\n\n| 姓名 | 岗位 | 部门 | 名下客户 | 待处理 | 调查表完整率 |\n"
                                     "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")

    def pool_page(self) -> None:
        rows = [r for r in pool_rows(self.repo) if self.view.shows(r.id)]
        lines = ["# 公海", "", "客户经理本人连续两个月（按分级设定）无销售跟进的客户可由市场总监收回公海、改派他人"
                 "（客户资源的调配 3）。剩余天数为负即已逾期。", "",
                 "| 编号 | 姓名 | 客户经理 | 分级 | 最后本人跟进 | 剩余归属天数 |", "|---|---|---|---|---|---|"]
        for r in rows:
            name = "（机密）" if r.id in self.view.restricted else esc(r.name)
            left = f"剩 {r.days_left} 天" if r.days_left > 0 else f"**逾期 {-r.days_left} 天**"
            lines.append(f"| [{r.id}](customers/{r.id}.md) | {name} | {self.person(r.owner, '')} | {esc(r.grade)} | "
                         f"{r.last_action or '—'} | {left} |")
        in_pool = [c for c in self.customers if c.data.get("owner") == POOL]
        lines += ["", f"## 在公海中的客户（{len(in_pool)}）", "", self.CUSTOMER_HEAD + "\n".join(self.customer_row(c, "") for c in in_pool)]
        self.write("pool.md", "\n".join(lines) + "\n")

    def overdue_page(self) -> None:
        lines = ["# 逾期与待办", ""]
        for code, label in OVERDUE_CODES.items():
            hits = [f for f in self.findings if f.code == code]
            if not hits:
                continue
            lines += [f"## {label}（[{code}](rules/{code}.md)，{len(hits)}）", "", "| 记录 | 说明 |", "|---|---|"]
            for f in hits:
                target = f.record if f.record and f.record.startswith("C") else self.customer_of.get(f.record)
                link = f"[{f.record}](customers/{target}.md)" if target else esc(f.record)
                lines.append(f"| {link} | {esc(self.view.message(f))} |")
            lines.append("")
        self.write("overdue.md", "\n".join(lines) + "\n")

    def report_pages(self) -> None:
        links = []
        for slug, period in (("weekly", last_week(self.repo.today)), ("monthly", last_month(self.repo.today))):
            tables = report_tables(self.repo, period, self.customers)
            links.append(f"- [{period.title}]({slug}.md)")
            self.write(f"reports/{slug}.md", markdown(period, tables))
        self.write("reports/index.md", "# 报表\n\n统计口径：周报截至每周五 18:00，月报为上一个自然月（客户统计管理制度）；"
                   "任意时段用 `kehu report range --from … --to …`。\n\n" + "\n".join(links) + "\n")

    def rule_pages(self) -> None:
        rows = []
        for code, rule in RULES.items():
            rows.append(f"| [{code}]({code}.md) | {rule.severity} | {esc(rule.title.zh)} |")
            self.write(f"rules/{code}.md", f"# {code} {rule.title.zh}\n\n`{rule.name}` · 默认级别：{rule.severity}"
                       f"{' · 在 kehu review 中检查' if rule.stage == 'review' else ''}\n\n{rule.doc}\n")
            self.search.append(entry(f"{code} {rule.title.zh}", f"rules/{code}/", "规则", [code, rule.title.zh, rule.name], []))
        self.write("rules/index.md", "# 规则目录\n\n| 代码 | 级别 | 规则 |\n|---|---|---|\n" + "\n".join(rows) + "\n")


RECORD_PAGE_FOLDERS = ("customers", "staff")  # one generated page per record


def generate(repo, findings, out: Path, full: bool, history: dict | None = None, progress=None) -> int:
    """Write every page under `out`; returns the number of pages."""
    return Site(repo, findings, out, full, history or {}, progress).generate()


def print_progress(done: int, total: int) -> None:
    print(f"\r生成客户页面 {done}/{total}", end="" if done < total else "\n", file=sys.stderr, flush=True)
