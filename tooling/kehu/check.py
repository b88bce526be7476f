"""The check pipeline: load -> validate -> rules -> findings."""

from __future__ import annotations

import gc
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kehu import cache
from kehu.findings import Finding, Hit, Text
from kehu.load import Repository, load_repository
from kehu.load.locate import clear_cache, locate
from kehu.rules import RULES
from kehu.rules.base import findings_of
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
    files_read: int | None = None  # record files read this run: fewer than `files` when the cache answered

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


def prepare(root: Path, today: date, files: list[str] | None = None) -> Repository:
    """Load and validate: the repository every command and rule works on."""
    clear_cache()  # files may have changed since an earlier run in this process
    repo = load_repository(root, today, files)
    validate(repo, Schemas(schema_dir(root)))
    return repo


CHECK_RULES = {code: rule for code, rule in RULES.items() if rule.stage == "check"}


def run_check(settings: Settings) -> CheckResult:
    Selection(settings.select, settings.ignore)  # refuse a bad selector before any work
    with cycle_collector_paused():
        return _run_check(settings)


@contextmanager
def cycle_collector_paused():
    """A check makes millions of small objects and no reference cycles; the collector's
    passes over them cost more than a second on a large repository, and found nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_check(settings: Settings) -> CheckResult:
    root = settings.root
    if not settings.use_cache:
        repo = prepare(root, settings.today)
        return _result(repo, apply_rules(repo, CHECK_RULES, settings), root)
    key = cache.key(schema_dir(root), settings.today, (settings.select, settings.ignore))
    files, states = cache.survey(root)  # before reading: a file edited meanwhile is re-read next time
    state = cache.state_of(files, states)
    snapshot = cache.load(root, key)
    if snapshot is not None and snapshot.state == state:
        findings = sorted(snapshot.findings + snapshot.global_findings, key=Finding.sort_key)
        return CheckResult(findings, len(files), snapshot.records, None, snapshot.notes, root, files_read=0)
    from kehu import incremental  # it builds on this module

    answer = incremental.recheck(settings, snapshot, files, states, state) if snapshot is not None else None
    if answer is None:
        repo = prepare(root, settings.today, files)
        findings = apply_rules(repo, CHECK_RULES, settings)
        answer = _result(repo, findings, root), incremental.snapshot_of(repo, key, files, states, state, findings)
    result, snapshot = answer
    cache.save(root, snapshot)
    return result


def _result(repo: Repository, findings: list[Finding], root: Path) -> CheckResult:
    findings.sort(key=Finding.sort_key)
    return CheckResult(findings, repo.files, len(repo.records), repo, repo.calendar.notes(), root, repo.files)


def apply_rules(repo: Repository, rules: dict, settings: Settings) -> list[Finding]:
    """Run `rules` on the repository at the severities the selection and policy give them."""
    selection = Selection(settings.select, settings.ignore, repo.policy.get("rules"))
    findings: list[Finding] = []
    for code, rule in rules.items():
        severity = selection.severity(code, rule.severity)
        if severity is None:
            continue
        findings.extend(findings_of(rule, repo, lambda hit: _finding(hit, code, severity, repo)))
    return findings


def _finding(hit: Hit, code: str, severity: str, repo: Repository) -> Finding:
    record = hit.record
    file = hit.file or (record.file if record is not None else None)
    line, column = hit.line, hit.column
    if line is None and file is not None and record is not None:
        line, column, _ = locate(repo.path(file), hit.path, hit.at_key)
    record_id = hit.record_id or (record.id if record is not None else None)
    return Finding(code, severity, file, line, column, record_id, hit.message)
