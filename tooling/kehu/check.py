"""The check pipeline: load -> validate -> rules -> findings."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kehu import cache
from kehu.findings import Finding, Hit, Text
from kehu.load import Repository, load_repository
from kehu.load.locate import clear_cache, locate
from kehu.rules import RULES
from kehu.validate import Schemas, schema_dir, validate

SELECTOR = re.compile(r"^K[0-9]{0,3}$")


class BadSelector(ValueError):
    pass


@dataclass
class Settings:
    root: Path
    today: date
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    use_cache: bool = False  # the CLI turns it on; the site needs the loaded repository anyway


@dataclass
class CheckResult:
    findings: list[Finding]
    files: int
    records: int
    repo: Repository | None = field(default=None, repr=False)  # None when answered from the cache
    notes: list[Text] = field(default_factory=list)  # said once on stderr, not findings
    root: Path | None = None

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def summary(self) -> dict:
        return {
            "files": self.files,
            "records": self.records,
            "errors": self.errors,
            "warnings": self.warnings,
            "by_code": dict(sorted(Counter(f.code for f in self.findings).items())),
        }


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


def prepare(root: Path, today: date) -> Repository:
    """Load and validate: the repository every command and rule works on."""
    clear_cache()  # files may have changed since an earlier run in this process
    repo = load_repository(root, today)
    validate(repo, Schemas(schema_dir(root)))
    return repo


def run_check(settings: Settings) -> CheckResult:
    Selection(settings.select, settings.ignore)  # refuse a bad selector before any work
    key = None
    if settings.use_cache:
        key = cache.fingerprint(settings.root, schema_dir(settings.root), settings.today,
                                (settings.select, settings.ignore))
        hit = cache.load(settings.root, key)
        if hit is not None:
            findings, files, records, notes = hit
            return CheckResult(findings, files, records, None, notes, settings.root)
    repo = prepare(settings.root, settings.today)
    selection = Selection(settings.select, settings.ignore, repo.policy.get("rules"))
    findings: list[Finding] = []
    for code, rule in RULES.items():
        severity = selection.severity(code, rule.severity) if rule.stage == "check" else None
        if severity is None:
            continue
        try:
            hits = list(rule.check(repo))
        except Exception as exc:  # a broken rule is a finding, never a traceback
            findings.append(Finding(code, "error", None, None, None, None, Text(
                f"规则 {code} 运行出错（{type(exc).__name__}: {exc}）；其余规则照常检查，请报告此问题",
                f"rule {code} crashed ({type(exc).__name__}: {exc}); other rules ran; please report this")))
            continue
        findings.extend(_finding(hit, code, severity, repo) for hit in hits)
    findings.sort(key=Finding.sort_key)
    result = CheckResult(findings, repo.files, len(repo.records), repo, repo.calendar.notes(), settings.root)
    if key is not None:
        cache.save(settings.root, key, findings, result.files, result.records, result.notes)
    return result


def _finding(hit: Hit, code: str, severity: str, repo: Repository) -> Finding:
    record = hit.record
    file = hit.file or (record.file if record is not None else None)
    line, column = hit.line, hit.column
    if line is None and file is not None and record is not None:
        line, column, _ = locate(repo.path(file), hit.path, hit.at_key)
    record_id = hit.record_id or (record.id if record is not None else None)
    return Finding(code, severity, file, line, column, record_id, hit.message)
