"""K1xx: every record matches its schema in schemas/."""

from __future__ import annotations

from kehu.findings import Hit, Text
from kehu.rules.base import rule


@rule("K101", "schema-violation", "error", "记录不符合其 schema", "record does not match its schema")
def schema_violation(repo):
    """
    ## 它检查什么
    每个记录都按 `schemas/` 里对应的 JSON Schema（Draft 2020-12）检查：必填字段、
    取值范围（客户分级、阶段、来源……）、编号和电话格式、日期、未知字段。每个问题一条，
    指向那个字段所在的行。YAML 1.1 的陷阱会直说：没加引号的手机号被读成数字、`no`
    被读成布尔值 false、`2026-03-04` 被读成日期——请加引号。

    ## 为什么
    登记表的每一项都要按规定填写，统计和归属判断才可靠。

    ## 出处
    000 客户统计管理制度（统计内容）；002 客户管理制度 6（客户信息登记表）

    ## 错误示例
    ```yaml
    phones:
      - 13800138000   # 被读成数字
    grade: E          # 只有 A/B/C/D
    ```

    ## 正确示例
    ```yaml
    phones:
      - '13800138000'
    grade: B
    ```
    """
    yield from repo.schema_problems
    yield from _unknown_rule_switches(repo)


def _unknown_rule_switches(repo):
    """Policy `rules:` may only name codes (or prefixes of codes) that exist: `K999: off`
    would otherwise be accepted and do nothing, and a typo like `K4O1` would go unseen."""
    from kehu.rules import RETIRED, RULES  # the registry imports this module

    policy = next(iter(repo.of("policy", valid_only=False)), None)
    switches = policy.data.get("rules") if policy is not None else None
    if not isinstance(switches, dict):
        return
    known = [*RULES, *RETIRED]
    for selector in switches:
        if isinstance(selector, str) and not any(code.startswith(selector) for code in known):
            yield Hit(Text(f"rules 里的 {selector} 不是任何规则的代码或前缀（kehu rules 列出全部规则）",
                           f"{selector} in rules is not the code or prefix of any rule (see kehu rules)"),
                      record=policy, path=("rules", selector), at_key=True)
