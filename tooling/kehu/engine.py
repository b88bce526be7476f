"""One engine for findings: `kehu check` and `kehu review` run their rules through here.

A rule yields hits. The engine decides whether the rule runs and at what severity (command
line and policy `rules:`), turns each hit into a finding at its place, keeps a crashing rule
from stopping the run, and marks the findings that must not fail it: a record's signed
exception (豁免), a deadline already met late (`done_late`), and a finding that was there
before the change (`new: false`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Callable, Iterable

from kehu.facts import as_dict, as_list
from kehu.findings import Finding, Hit, Text
from kehu.timeutil import local_date

SELECTOR = re.compile(r"^K[0-9]{0,3}$")

# where a hit lands: (file, line, column, record id)
Place = Callable[[Hit], tuple]


class BadSelector(ValueError):
    pass


class Selection:
    """Which rules run, and at what severity.

    `--select`/`--ignore` and policy `rules:` take codes or prefixes; the most specific
    selector wins, and at equal specificity the command line beats the policy file.
    """

    def __init__(self, select=(), ignore=(), policy_rules=None):
        for selector in (*select, *ignore):
            if not SELECTOR.match(selector):
                raise BadSelector(selector)
        self.default_on = not select
        self.switches = [(s, 2, True) for s in select] + [(s, 2, False) for s in ignore]
        self.severities = []
        for prefix, value in (policy_rules or {}).items():
            if value == "off":
                self.switches.append((prefix, 1, False))
            else:
                self.severities.append((prefix, value))

    def severity(self, code: str, default: str) -> str | None:
        matches = [(len(p), rank, on) for p, rank, on in self.switches if code.startswith(p)]
        on = max(matches)[2] if matches else self.default_on
        if not on:
            return None
        chosen = max(((len(p), v) for p, v in self.severities if code.startswith(p)), default=None)
        return chosen[1] if chosen else default


def run_rules(rules: dict, subject, selection: Selection, place: Place) -> list[Finding]:
    """Every selected rule's hits on `subject` (a repository, or a change under review)."""
    findings: list[Finding] = []
    for code, rule in rules.items():
        severity = selection.severity(code, rule.severity)
        if severity is not None:
            findings.extend(findings_of(rule, subject, code, severity, place))
    return findings


def findings_of(rule, subject, code: str, severity: str, place: Place) -> list[Finding]:
    """The rule's hits as findings; a rule that raises gives one error finding instead."""
    try:
        hits = list(rule.check(subject))
    except Exception as exc:  # a broken rule is a finding, never a traceback
        return [Finding(code, "error", None, None, None, None, Text(
            f"规则 {code} 运行出错（{type(exc).__name__}: {exc}）；其余规则照常检查，请报告此问题",
            f"rule {code} crashed ({type(exc).__name__}: {exc}); other rules ran; please report this"))]
    return [_finding(hit, code, severity, place) for hit in hits]


def _finding(hit: Hit, code: str, severity: str, place: Place) -> Finding:
    file, line, column, record_id = place(hit)
    field = ".".join(str(part) for part in hit.path) or None
    return Finding(code, severity, file, line, column, record_id, hit.message, field=field,
                   state="done_late" if hit.done_late else None)


# --- exceptions (豁免) -------------------------------------------------------------------

def waiver_of(record_data, code: str, today: date, may_waive: Callable[[str], bool]) -> dict | None:
    """The record's exception for `code` that holds today, if one does: signed by someone
    `may_waive` accepts, dated no later than today, and not expired."""
    for entry in as_list(as_dict(record_data).get("exceptions")):
        entry = as_dict(entry)
        if entry.get("code") != code or not isinstance(entry.get("by"), str) or not may_waive(entry["by"]):
            continue
        signed, until = local_date(entry.get("at")), local_date(entry.get("until"))
        if signed is None or signed > today or (until is not None and until < today):
            continue
        return entry
    return None


def mark_excepted(findings: Iterable[Finding], data_of: Callable[[str], dict | None], today: date,
                  may_waive: Callable[[str], bool]) -> list[Finding]:
    """Findings on records whose `exceptions:` cover their code become `excepted`."""
    marked = []
    for finding in findings:
        data = data_of(finding.record) if finding.record else None
        if data is not None and waiver_of(data, finding.code, today, may_waive) is not None:
            finding = replace(finding, excepted=True)
        marked.append(finding)
    return marked


# --- new since a reference ---------------------------------------------------------------

def identity(finding: Finding) -> tuple:
    """What makes two findings "the same" across versions: lines move, messages carry dates."""
    return (finding.code, finding.record or finding.file, finding.field)


def mark_new(findings: list[Finding], before: Iterable[Finding]) -> list[Finding]:
    """Each finding is `new` unless the reference had one of the same identity (counted, so
    a second K301 on the same record is new when the reference had one)."""
    existing = Counter(identity(f) for f in before)
    marked = []
    for finding in findings:
        key = identity(finding)
        if existing[key] > 0:
            existing[key] -= 1
            marked.append(replace(finding, new=False))
        else:
            marked.append(replace(finding, new=True))
    return marked


class Outcome:
    """What check and review results share: the findings that fail the run, and the rest."""

    findings: list[Finding]

    @property
    def errors(self) -> int:
        return sum(f.blocks for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" and f.open for f in self.findings)


def tally(findings: list[Finding]) -> dict:
    """The counts every command reports; `errors` are the findings that fail the run."""
    return {
        "errors": sum(f.blocks for f in findings),
        "warnings": sum(f.severity == "warning" and f.open for f in findings),
        "excepted": sum(f.excepted for f in findings),
        "done_late": sum(f.state == "done_late" for f in findings),
        "existing": sum(f.new is False for f in findings),
        "by_code": dict(sorted(Counter(f.code for f in findings).items())),
    }


def verdict(findings: list[Finding], lang: str) -> str:
    """"2 个错误，1 个警告（另有已豁免 1 个）": the counts that decide, then the rest."""
    counts = tally(findings)
    asides = (("excepted", "已豁免", "excepted"), ("done_late", "已完成但逾期", "done late"), ("existing", "原有", "existing"))
    if lang == "en":
        text = "no problems" if not findings else f"{counts['errors']} errors, {counts['warnings']} warnings"
        aside = [f"{counts[key]} {en}" for key, _, en in asides if counts[key]]
        return text + (f" (and {', '.join(aside)})" if aside else "")
    text = "没有发现问题" if not findings else f"{counts['errors']} 个错误，{counts['warnings']} 个警告"
    aside = [f"{zh} {counts[key]} 个" for key, zh, _ in asides if counts[key]]
    return text + (f"（另有{'，'.join(aside)}）" if aside else "")
