"""`kehu review` output: in text, the changed files with who must approve each, then the
findings as `kehu check` prints them; json and github as for check."""

from __future__ import annotations

from kehu.report import REPORTERS

KIND = {"added": ("新增", "A"), "modified": ("修改", "M"), "deleted": ("删除", "D")}


def render(result, fmt: str, lang: str, out) -> None:
    if fmt == "text":
        changes(result, lang, out)
    REPORTERS[fmt](result, lang, out)


def changes(result, lang: str, out) -> None:
    review = result.review
    english = lang == "en"
    failing = {f.file for f in result.findings if f.blocks}
    for change in result.as_dict(lang)["changes"]:
        kind = KIND[change["kind"]][1 if english else 0]
        record = f" [{change['record']}]" if change["record"] else ""
        if change["required_approvers"]:
            who = review.who(change["required_approvers"]).get(lang)
            need = f"  needs one of: {who}" if english else f"  需任一人批准：{who}"
        elif change["file"] in failing:
            need = "  has errors, see below" if english else "  有错误，见下"
        else:
            need = "  no approval needed" if english else "  无需他人批准"
        out.write(f"{kind} {change['file']}{record}{need}\n")
    out.write("\n")
