"""The site's summary pages: the dashboard, the 公海 pool, the overdue list, the reports and
the rule catalogue. Each takes the `Site` (kehu.site.pages) whose records and privacy it shows."""

from __future__ import annotations

from collections import Counter

from kehu.domain import POOL, funnel, joined, threshold
from kehu.markdown import esc, titled
from kehu.pool import pool_rows
from kehu.rules import RULES
from kehu.site import charts, reports
from kehu.site.problems import table, urgent_panel
from kehu.site.search import entry
from kehu.site.tables import sortable
from kehu.timeutil import local_date

OVERDUE_CODES = {"K401": "公海到期", "K402": "公海将到期", "K403": "回访不足", "K404": "方案后未回访",
                 "K501": "投诉未及时调查", "K502": "投诉未及时答复", "K503": "投诉未及时解决", "K504": "投诉未回访",
                 "K601": "预案超期", "K602": "方案超期", "K604": "巡检间隔过长"}


def dashboard(site) -> None:
    customers = [c.data for c in site.customers]
    errors = sum(f.severity == "error" for f in site.findings)
    months = Counter()
    for d in customers:
        when = local_date(d.get("registered_at"))
        if when:
            months[f"{when:%Y-%m}"] += 1
    steps = [(label, sum(1 for d in customers if key is None or (d.get("milestones") or {}).get(key)))
             for label, key in funnel()]
    visible_complaints = [t for t in site.repo.of("complaint") if site.view.shows(t.id)]
    late = {f.record for f in site.findings if f.code in ("K501", "K502", "K503")}
    on_time = 100 * (1 - len(late & {t.id for t in visible_complaints}) / len(visible_complaints)) if visible_complaints else 100

    def ordered(counter):
        return sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))

    stage_order = site.repo.schemas.vocabulary("stage")
    parts = [
        "# 客户档案总览", "", *urgent_panel(site),
        f"截至 {site.repo.today.isoformat()}：客户 **{len(customers)}** 位，"
        f"回访 **{sum(len(site.visits.get(c.id, [])) for c in site.customers)}** 次，"
        f"投诉 **{len(visible_complaints)}** 件，投诉按时处理率 **{on_time:.0f}%**；"
        f"检查发现 **{errors}** 个错误、**{len(site.findings) - errors}** 个警告（见[问题](problems/index.md)、[逾期](overdue.md)）。", "",
        '<div class="kehu-grid" markdown>', "",
        charts.bars("客户按阶段", [(s, sum(1 for d in customers if d.get("stage") == s)) for s in stage_order]),
        charts.bars("客户按分级", [(g, sum(1 for d in customers if d.get("grade") == g))
                                   for g in site.repo.schemas.vocabulary("grade")]),
        charts.bars("客户按来源", ordered(Counter((d.get("source") or {}).get("channel", "未填") for d in customers))),
        charts.bars("客户按地区", ordered(Counter(site.view.text(d.get("district", "未填")) for d in customers))[:12]),
        charts.columns("每月新增客户", sorted(months.items())[-24:]),
        charts.funnel("咨询 → 签约 转化", steps),
        charts.bars("投诉按类别", ordered(Counter(t.data.get("category") for t in visible_complaints))),
        "", "</div>", "",
    ]
    site.write("index.md", "\n".join(parts) + "\n")


def pool_page(site) -> None:
    rows = [r for r in pool_rows(site.repo) if site.view.shows(r.id)]
    policy = site.repo.policy
    lines = ["# 公海", "", f"客户经理本人连续 {esc(threshold(policy['reclaim_after_days'], '天'))}无销售跟进的客户"
             f"可由{esc(joined(policy['assigner_roles']))}收回公海、改派他人（客户资源的调配 3）。剩余天数为零或负即已逾期。", "",
             ]
    table = ["| 编号 | 姓名 | 客户经理 | 分级 | 最后本人跟进 | 剩余归属天数 |", "|---|---|---|---|---|---|"]
    for r in rows:
        # a bare number, so that the table script sorts the column as numbers; overdue in bold
        left = f"{r.days_left}" if r.days_left > 0 else f"**{r.days_left}**"
        name, grade, last = site.show(r.name), site.show(r.grade), r.last_action or "—"
        if site.view.restricts(r.id):  # 机密: id and owner; the days would tell when it was last visited
            name, grade, last, left = "（机密）", "", "—", "—"
        table.append(f"| [{r.id}](customers/{r.id}.md) | {name} | {site.person(r.owner, '')} | {grade} | {last} | {left} |")
    in_pool = [c for c in site.customers if c.data.get("owner") == POOL]
    lines += [sortable("\n".join(table), "2,3"), f"## 在公海中的客户（{len(in_pool)}）", "", site.customer_table(in_pool, "", "2,3,5")]
    site.write("pool.md", "\n".join(lines) + "\n")


def overdue_page(site) -> None:
    """The open problems with a deadline, by kind: customer, owner, due date (kehu.site.problems)."""
    lines = ["# 逾期与待办", "", "未解决的逾期问题，按类别；已完成但逾期的不再列出（见 `kehu check`）。"
             "全部问题见[问题](problems/index.md)页，各人的待办见其员工页。", ""]
    for code, label in OVERDUE_CODES.items():
        hits = [p for p in site.problems if p.code == code]
        if hits:
            lines += [f"## {label}（[{code}](rules/{code}.md)，{len(hits)}）", "", table(site, hits, "")]
    site.write("overdue.md", "\n".join(lines) + "\n")


def report_pages(site) -> None:
    """The weekly and monthly reports with charts and the previous period beside each figure,
    and the archive of earlier weeks and months (kehu.site.reports)."""
    reports.write_reports(site)


def rule_pages(site) -> None:
    rows = []
    for code, rule in RULES.items():
        title = rule.title_for(site.repo.policy).zh  # the thresholds of the policy in force
        rows.append(f"| [{code}]({code}.md) | {rule.severity} | {esc(title)} |")
        site.write(f"rules/{code}.md", f"{titled(f'{code} {title}')}\n`{rule.name}` · 默认级别：{rule.severity}"
                   f"{' · 在 kehu review 中检查' if rule.stage == 'review' else ''}\n\n{rule.doc}\n")
        site.search.append(entry(f"{code} {title}", f"rules/{code}/", "规则", [code, title, rule.name], []))
    site.write("rules/index.md", "# 规则目录\n\n| 代码 | 级别 | 规则 |\n|---|---|---|\n" + "\n".join(rows) + "\n")
