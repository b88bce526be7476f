"""Records -> Markdown pages. Independent of the site engine, so the engine can change.

Privacy is decided here, once: phones masked, addresses reduced to the community, 机密
customers shown as id/owner/stage only, 绝密 customers left out entirely. Every value from
a record goes through `esc`, so a name like <script> is text on every page.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

from kehu.facts import mask_phone
from kehu.rules import RULES

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def esc(value) -> str:
    """A record value as inert text inside Markdown or HTML."""
    text = html.escape("" if value is None else str(value), quote=True)
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def visible_customers(repo, full: bool):
    for record in sorted(repo.of("customer"), key=lambda r: r.id):
        level = record.data.get("confidentiality", "秘密")
        if level == "绝密" and not full:
            continue
        yield record, (level == "机密" and not full)


def generate(repo, findings, out: Path, full: bool) -> int:
    """Write every page under `out`; returns the number of pages."""
    staff = {r.id: r.data for r in repo.of("staff")}
    customers = list(visible_customers(repo, full))
    by_record: dict[str, list] = {}
    for finding in findings:
        if finding.record:
            by_record.setdefault(finding.record, []).append(finding)
    pages = 0

    def write(relative: str, text: str) -> None:
        nonlocal pages
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pages += 1

    def person(staff_id) -> str:
        if staff_id == "pool":
            return "公海"
        data = staff.get(staff_id)
        return esc(data["name"]) if data else esc(staff_id)

    counted = [r for r, restricted in customers]
    write("index.md", _dashboard(repo, counted, findings))
    rows = []
    for record, restricted in customers:
        d = record.data
        name = "（机密）" if restricted else esc(d.get("name"))
        rows.append(f"| [{esc(record.id)}]({record.id}.md) | {name} | {esc(d.get('grade'))} | "
                    f"{esc(d.get('stage'))} | {person(d.get('owner'))} | "
                    f"{'' if restricted else esc(d.get('community'))} |")
        write(f"customers/{record.id}.md", _customer_page(record, restricted, person, by_record.get(record.id, []), full))
    write("customers/index.md", "# 客户\n\n| 编号 | 姓名 | 分级 | 阶段 | 客户经理 | 小区 |\n|---|---|---|---|---|---|\n"
          + "\n".join(rows) + "\n")
    rule_rows = []
    for code, rule in RULES.items():
        rule_rows.append(f"| [{code}]({code}.md) | {rule.severity} | {esc(rule.title.zh)} |")
        write(f"rules/{code}.md", f"# {code} {rule.title.zh}\n\n`{rule.name}` · 默认级别：{rule.severity}\n\n{rule.doc}\n")
    write("rules/index.md", "# 规则目录\n\n| 代码 | 级别 | 规则 |\n|---|---|---|\n" + "\n".join(rule_rows) + "\n")
    return pages


def _dashboard(repo, customers, findings) -> str:
    def table(title, counter):
        lines = [f"### {title}", "", "| | 数量 |", "|---|---|"]
        lines += [f"| {esc(k)} | {v} |" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]
        return "\n".join(lines) + "\n"

    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    parts = [
        "# 客户档案总览", "",
        f"截至 {repo.today.isoformat()}：客户 {len(customers)} 位，回访 {len(repo.of('visit'))} 次，"
        f"投诉 {len(repo.of('complaint'))} 件；检查发现 {errors} 个错误、{warnings} 个警告。", "",
        "[全部客户](customers/index.md) · [规则目录](rules/index.md) · [使用说明](guide.md)", "",
        table("按阶段", Counter(r.data.get("stage") for r in customers)),
        table("按分级", Counter(r.data.get("grade") for r in customers)),
        table("按来源", Counter(r.data.get("source", {}).get("channel") for r in customers)),
    ]
    return "\n".join(parts)


def _customer_page(record, restricted, person, findings, full) -> str:
    d = record.data
    # MkDocs puts a page's title into <title> and the nav unescaped: the title is the id
    # alone (ids are pattern-checked); names appear only in the escaped body.
    lines = ["---", f"title: {record.id}", "---", "",
             f"# {esc(record.id)} {'' if restricted else esc(d.get('name'))}", ""]
    facts = [("客户经理", person(d.get("owner"))), ("阶段", esc(d.get("stage")))]
    if not restricted:
        phones = d.get("phones", [])
        shown = [str(p) for p in phones] if full else [mask_phone(p) for p in phones]
        facts += [
            ("分级", esc(d.get("grade"))),
            ("电话", "、".join(esc(p) for p in shown)),
            ("地区", esc(d.get("district"))),
            ("小区", esc(d.get("community"))),
            ("来源", esc(d.get("source", {}).get("channel"))),
            ("登记", f"{esc(d.get('registered_at'))}，{person(d.get('registered_by'))}"),
        ]
        if full and d.get("address"):
            facts.append(("地址", esc(d.get("address"))))
    lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in facts] + [""]
    if findings and not restricted:
        lines += ["## 待处理的问题", ""]
        lines += [f"- **{f.code}** {esc(f.message.zh)}" for f in findings]
    return "\n".join(lines) + "\n"
