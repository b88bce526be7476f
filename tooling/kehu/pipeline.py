"""The pieces every run of the rules shares: settings, the loaded and validated
repository, the rules applied to it, and the result a reporter prints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kehu import parallel
from kehu.engine import Outcome, Selection, mark_excepted, run_rules, tally, verdict
from kehu.findings import Finding, Hit, Text
from kehu.load import Repository, assemble, max_file_kb, record_files
from kehu.load.locate import clear_cache, locate
from kehu.rules import RULES
from kehu.validate import Schemas, schema_dir, validate

CHECK_RULES = {code: rule for code, rule in RULES.items() if rule.stage == "check"}


@dataclass
class Settings:
    root: Path
    today: date
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    use_cache: bool = False  # the CLI turns it on; the site needs the loaded repository anyway
    new_since: str | None = None  # a git ref: findings it already had do not fail the run
    with_repository: bool = False  # the site: the loaded repository too, even when the cache has the findings


@dataclass
class CheckResult(Outcome):
    findings: list[Finding]
    files: int
    records: int
    repo: Repository | None = field(default=None, repr=False)  # None when answered from the cache
    notes: list[Text] = field(default_factory=list)  # said once on stderr, not findings
    root: Path | None = None
    files_read: int | None = None  # record files read this run: fewer than `files` when the cache answered

    def summary(self) -> dict:
        return {"files": self.files, "records": self.records, **tally(self.findings)}

    def as_dict(self, lang: str) -> dict:
        return {"findings": [f.as_dict(lang) for f in self.findings], "summary": self.summary()}

    def headline(self, lang: str) -> str:
        """The one-line verdict after the findings (on stderr for json and github)."""
        counts = ", ".join(f"{code}×{n}" for code, n in self.summary()["by_code"].items())
        if lang == "en":
            return f"checked {self.files} files, {self.records} records: {verdict(self.findings, lang)}" + (
                f" ({counts})" if counts else "")
        return f"检查了 {self.files} 个文件、{self.records} 条记录：{verdict(self.findings, lang)}" + (
            f"（{counts}）" if counts else "")


def prepare(root: Path, today: date, files: list[str] | None = None, states: list[str] | None = None) -> Repository:
    """Load and validate: the repository every command and rule works on. With `states`
    (each file's content id, as kehu.cache.survey gives them) unchanged files come from
    kehu.records_cache, as the site asks."""
    clear_cache()  # files may have changed since an earlier run in this process
    schemas = Schemas(schema_dir(root))
    files = record_files(root) if files is None else files
    if states is not None:
        from kehu import records_cache

        read = records_cache.read(root, files, states, max_file_kb(root) * 1024, schemas)
    else:
        read = parallel.read(root, files, max_file_kb(root) * 1024, schemas)  # on every core at company size
    repo = assemble(root, today, (loaded[:3] for loaded in read))
    validate(repo, schemas, {loaded[0]: loaded[3] for loaded in read if loaded[3] is not None})
    return repo


def result_of(repo: Repository, findings: list[Finding], root: Path) -> CheckResult:
    findings.sort(key=Finding.sort_key)
    return CheckResult(findings, repo.files, len(repo.records), repo, repo.calendar.notes() + sealing_notes(repo), root,
                       repo.files)


def sealing_notes(repo: Repository) -> list[Text]:
    """What a run could not read: sealed values without a matching key, an unusable key file."""
    from kehu.sealing import identity_note

    notes = [identity_note(), repo.sealing.note() if repo.sealing is not None else None]
    return [note for note in notes if note is not None]


def apply_rules(repo: Repository, rules: dict, settings: Settings) -> list[Finding]:
    """Run `rules` on the repository at the severities the selection and policy give them,
    with the records' own exceptions applied."""
    selection = Selection(settings.select, settings.ignore, repo.policy.get("rules"))
    findings = run_rules(rules, repo, selection, lambda hit: place(hit, repo))
    return mark_excepted(findings, lambda record_id: _data_of(repo, record_id), repo.today,
                         lambda staff_id: may_waive(repo.policy, repo.ids("staff").get(staff_id)))


def _data_of(repo: Repository, record_id: str) -> dict | None:
    """The record an id names (any kind); the stricter reading when two files share it."""
    for kind in ("customer", "visit", "complaint", "disposal", "appeal"):
        record = repo.ids(kind).get(record_id)
        if record is not None:
            return record.data
    return None


def may_waive(policy: dict, member) -> bool:
    """Whether a staff record may sign an exception (policy `waiver_roles`)."""
    return member is not None and member.data.get("role") in policy.get("waiver_roles", ())


def place(hit: Hit, repo: Repository) -> tuple:
    record = hit.record
    file = hit.file or (record.file if record is not None else None)
    line, column = hit.line, hit.column
    if line is None and file is not None and record is not None:
        line, column, _ = locate(repo.path(file), hit.path, hit.at_key)
    record_id = hit.record_id or (record.id if record is not None else None)
    return file, line, column, record_id
