"""What a rule is: a code, a short name, a severity and a function, with its docs."""

from __future__ import annotations

import functools
import inspect
import json
import re
import string
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from kehu.domain import threshold
from kehu.findings import Hit, Text

DOC_SECTIONS = ("它检查什么", "为什么", "出处", "错误示例", "正确示例")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str  # a short English slug, e.g. "duplicate-key"
    # the title; a threshold of the policy in force is written "{policy_key}", with the unit
    # after a colon: "投诉未在 {complaint_reply_wd:个工作日}内答复客户" (see title_for)
    template: Text
    severity: str  # default severity; policy may change it
    check: Callable[..., Iterable[Hit]]
    doc: str  # Markdown, with the sections of DOC_SECTIONS as "## " headings
    stage: str = "check"  # "check": kehu check runs it on the records; "review": kehu review on a change
    # A rule sees one customer at a time, with the records that name it (its visits and
    # complaints), plus staff and policy -- unless it compares records across the whole
    # repository: then it lists the top-level fields it reads, and a re-check after a few
    # changed files runs it on a compact copy of those fields (kehu.incremental).
    reads: tuple[str, ...] | None = None

    @property
    def title(self) -> Text:
        """The title under the default policy (the defaults of schemas/policy.schema.json)."""
        return self.title_for(None)

    def title_for(self, policy: Mapping | None) -> Text:
        """The title with the thresholds of `policy` filled in, e.g. 投诉未在 2 个工作日内答复客户;
        what the policy lacks comes from the default policy."""
        values = {**default_policy(), **(policy or {})}
        return Text(*(_fill(template, values, lang) or _fill(template, default_policy(), lang) or template
                      for template, lang in ((self.template.zh, "zh"), (self.template.en, "en"))))

    def sections(self) -> dict[str, str]:
        parts = re.split(r"^## +(.+?)\s*$", self.doc, flags=re.M)
        return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def rule(code: str, name: str, severity: str, zh: str, en: str, stage: str = "check", reads=None):
    """Register a function as the rule `code`; its docstring is the rule's documentation.
    `zh` and `en` are the title's templates (Rule.template): "{policy_key:unit}" is filled
    from the policy in force, a literal brace is doubled."""

    def wrap(function):
        doc = inspect.cleandoc(function.__doc__ or "")
        function.rule = Rule(code, name, Text(zh, en), severity, function, doc, stage, reads)
        return function

    return wrap


@functools.lru_cache(maxsize=1)
def default_policy() -> dict:
    """The defaults of the policy schema kehu was installed with: what a title says when no
    records repository is at hand (`kehu rules` outside one)."""
    from kehu.validate import SchemaError, schema_dir

    try:
        schema = json.loads((schema_dir(None) / "policy.schema.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, SchemaError):
        return {}
    return {key: spec["default"] for key, spec in schema.get("properties", {}).items()
            if isinstance(spec, dict) and "default" in spec}


class _Thresholds(string.Formatter):
    """Policy values as a title shows them: 1 个工作日, A 90、B 60 天, 2 working days."""

    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value, unit: str) -> str:
        return threshold(value, unit, self.lang)


def _fill(template: str, values: Mapping, lang: str) -> str | None:
    try:
        return _Thresholds(lang).vformat(template, (), values)
    except (KeyError, IndexError, ValueError, AttributeError):
        return None
