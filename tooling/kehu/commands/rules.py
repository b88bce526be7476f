"""`kehu rules`: the rule catalogue, or one rule's documentation."""

from __future__ import annotations

import json
from pathlib import Path

from kehu.commands import Failure, Run, repository_root
from kehu.findings import Text


def run(ctx: Run, code: str | None, fmt: str, repo: Path | None = None) -> int:
    """Titles are filled from the policy in force: the repository's, when kehu runs in one."""
    from kehu.rules import RULES

    lang = ctx.lang
    policy = _policy(repo, ctx)
    if code is not None:
        rule = RULES.get(code.upper())
        if rule is None:
            raise Failure(Text(f"没有规则 {code}；用 kehu rules 查看全部", f"no rule {code}; see kehu rules"))
        if fmt == "json":
            print(json.dumps(_as_json(rule, lang, policy), ensure_ascii=False, indent=2))
        else:
            print(f"{rule.code} {rule.name} [{rule.severity}] {rule.title_for(policy).get(lang)}\n")
            print(rule.doc)
        return 0
    if fmt == "json":
        print(json.dumps([_as_json(r, lang, policy) for r in RULES.values()], ensure_ascii=False, indent=2))
        return 0
    width = max(len(r.name) for r in RULES.values())
    for rule in RULES.values():
        stage = "  (review)" if rule.stage == "review" else ""
        print(f"{rule.code}  {rule.severity:<7}  {rule.name:<{width}}  {rule.title_for(policy).get(lang)}{stage}")
    return 0


def _as_json(rule, lang: str, policy) -> dict:
    return {"code": rule.code, "name": rule.name, "severity": rule.severity,
            "title": rule.title_for(policy).get(lang), "sections": rule.sections()}


def _policy(repo: Path | None, ctx: Run) -> dict | None:
    """The policy of the repository kehu runs in (schema defaults and records/policy.yaml),
    or None outside one (unless --repo names it): the titles then say the defaults."""
    try:
        ctx.root = repository_root(repo)
    except Failure:
        if repo is not None:
            raise
        return None
    try:
        return ctx.prepare().policy
    except Exception:  # a broken repository still gets the catalogue, with default thresholds
        return None
