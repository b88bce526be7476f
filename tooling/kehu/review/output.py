"""`kehu review` output: the changes with who must approve them, then the findings."""

from __future__ import annotations

import json

from kehu.report import github

KIND = {"added": ("新增", "A"), "modified": ("修改", "M"), "deleted": ("删除", "D")}


def render(result, fmt: str, lang: str, out) -> None:
    document = result.as_dict(lang)
    if fmt == "json":
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    if fmt == "github":
        github.render(result, lang, out)
        return
    review = result.review
    english = lang == "en"
    for change in document["changes"]:
        kind = KIND[change["kind"]][1 if english else 0]
        record = f" [{change['record']}]" if change["record"] else ""
        if change["required_approvers"]:
            who = review.who(change["required_approvers"]).get(lang)
            need = f"  needs one of: {who}" if english else f"  需任一人批准：{who}"
        else:
            need = "  no approval needed" if english else "  无需他人批准"
        out.write(f"{kind} {change['file']}{record}{need}\n")
    if result.findings:
        out.write("\n")
    for f in result.findings:
        where = f"{f.file}:{f.line or 1}:{f.column or 1}" if f.file else "(change)"
        record = f" [{f.record}]" if f.record else ""
        out.write(f"{where}: {f.code} {f.severity}{record} {f.message.get(lang)}\n")
    author = review.author or review.author_label
    approvals = ", ".join(sorted(review.approvals)) or "-"
    if english:
        out.write(f"\nreviewed {len(document['changes'])} changed files by {author} (approved by {approvals}): "
                  f"{result.errors} errors\n")
    else:
        out.write(f"\n审阅了 {len(document['changes'])} 个改动文件，作者 {author}，已批准：{approvals}；"
                  f"{result.errors} 个错误\n")
