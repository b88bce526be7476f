"""`kehu rules`: the rule catalogue, or one rule's documentation."""

from __future__ import annotations

import json

from kehu.commands import Failure, Run
from kehu.findings import Text


def run(ctx: Run, code: str | None, fmt: str) -> int:
    from kehu.rules import RULES

    lang = ctx.lang
    if code is not None:
        rule = RULES.get(code.upper())
        if rule is None:
            raise Failure(Text(f"没有规则 {code}；用 kehu rules 查看全部", f"no rule {code}; see kehu rules"))
        if fmt == "json":
            print(json.dumps(_as_json(rule, lang), ensure_ascii=False, indent=2))
        else:
            print(f"{rule.code} {rule.name} [{rule.severity}] {rule.title.get(lang)}\n")
            print(rule.doc)
        return 0
    if fmt == "json":
        print(json.dumps([_as_json(r, lang) for r in RULES.values()], ensure_ascii=False, indent=2))
        return 0
    width = max(len(r.name) for r in RULES.values())
    for rule in RULES.values():
        stage = "  (review)" if rule.stage == "review" else ""
        print(f"{rule.code}  {rule.severity:<7}  {rule.name:<{width}}  {rule.title.get(lang)}{stage}")
    return 0


def _as_json(rule, lang: str) -> dict:
    return {"code": rule.code, "name": rule.name, "severity": rule.severity,
            "title": rule.title.get(lang), "sections": rule.sections()}
