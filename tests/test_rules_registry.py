"""The registry: every code of SPEC §4 is there once, documented in the fixed sections."""

from __future__ import annotations

import re

import pytest

from kehu.rules import DOC_SECTIONS, RULES, _collect
from kehu.rules.base import rule

SPEC_CODES = """K001 K002 K003 K004 K101 K201 K202 K203 K301 K302 K303 K304 K401 K402 K403 K404
                K501 K502 K503 K504 K601 K602 K603 K604 K701 K801 K802 K803 K804 K805 K806""".split()
SPEC_SEVERITY = {"K302": "warning", "K401": "warning", "K402": "warning", "K403": "warning", "K404": "warning",
                 "K504": "warning", "K601": "warning", "K602": "warning", "K604": "warning", "K701": "warning"}


def test_every_spec_code_is_registered_with_its_severity():
    assert set(SPEC_CODES) <= set(RULES)
    for code in SPEC_CODES:
        assert RULES[code].severity == SPEC_SEVERITY.get(code, "error"), code


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_documentation_has_every_section(code):
    spec = RULES[code]
    sections = spec.sections()
    for name in DOC_SECTIONS:
        assert sections.get(name), f"{code} lacks ## {name}"
    assert re.search(r"\b00[0-4]\b", sections["出处"]), f"{code}: 出处 should name the seed document"
    assert spec.title.zh and spec.title.en and re.fullmatch(r"[a-z0-9-]+", spec.name)


def test_a_reused_code_is_refused(monkeypatch):
    import types

    from kehu import rules as registry

    twin = types.ModuleType("twin")

    @rule("K001", "again", "error", "重复", "again")
    def again(repo):
        """doc"""
        return []

    twin.again = again
    monkeypatch.setattr(registry, "MODULES", registry.MODULES + (twin,))
    with pytest.raises(RuntimeError, match="K001"):
        _collect()


def test_a_crashing_rule_becomes_a_finding_and_the_others_still_run(repo, monkeypatch):
    from dataclasses import replace

    from kehu import check

    def boom(repo):
        raise KeyError("owner")

    monkeypatch.setattr(check, "CHECK_RULES", {**check.CHECK_RULES, "K301": replace(RULES["K301"], check=boom)})
    repo.visit(id="V2026-000002", staff="liuyng")
    findings = repo.run()
    crashed = [f for f in findings if f["code"] == "K301"]
    assert len(crashed) == 1 and "K301 运行出错" in crashed[0]["message"] and crashed[0]["severity"] == "error"
    assert any(f["code"] == "K201" for f in findings)
