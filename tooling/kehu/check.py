"""`kehu check`: the rules over the whole repository, answered from the cache when
nothing changed, re-checked in part when a few files did (kehu.incremental)."""

from __future__ import annotations

import gc
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from kehu import cache, incremental
from kehu.engine import Selection, mark_new
from kehu.findings import Finding
from kehu.gitrepo import commit_of, export, open_git
from kehu.load import RECORDS_DIR, Repository, max_file_kb
from kehu.pipeline import CHECK_RULES, CheckResult, Settings, apply_rules, prepare, result_of
from kehu.sealing import sight
from kehu.validate import schema_dir

__all__ = ["CheckResult", "Settings", "prepare", "run_check"]


def run_check(settings: Settings, loaded: Repository | None = None) -> CheckResult:
    """`loaded`: the repository already read and validated from the record files as they
    are (`kehu serve` keeps one); the rules run on it when the cache cannot answer."""
    Selection(settings.select, settings.ignore)  # refuse a bad selector before any work
    with cycle_collector_paused():
        result = _run_check(settings, loaded)
        if settings.new_since is not None:
            result.findings = mark_new(result.findings, findings_at(settings, settings.new_since))
        return result


def findings_at(settings: Settings, ref: str) -> list[Finding]:
    """The findings of the same check on the records as commit `ref` has them."""
    repo, prefix = open_git(settings.root)
    commit = commit_of(repo, ref)
    with tempfile.TemporaryDirectory(prefix="kehu-ref-") as folder:
        target = Path(folder)
        export(repo, commit, prefix, (RECORDS_DIR, "schemas"), target, max_file_kb(settings.root) * 1024)
        (target / RECORDS_DIR).mkdir(exist_ok=True)
        if not (target / "schemas" / "common.schema.json").is_file():
            shutil.rmtree(target / "schemas", ignore_errors=True)  # none at ref: the installed ones, never the tree's
        reference = prepare(target, settings.today)
        return apply_rules(reference, CHECK_RULES, settings)


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


def _run_check(settings: Settings, loaded: Repository | None = None) -> CheckResult:
    root = settings.root
    if not settings.use_cache:
        repo = loaded or prepare(root, settings.today)
        return result_of(repo, apply_rules(repo, CHECK_RULES, settings), root)
    # what the keys held open decides the findings too (K301 across sealed phones)
    key = cache.key(schema_dir(root), settings.today, (settings.select, settings.ignore, sight()))
    files, states = cache.survey(root)  # before reading: a file edited meanwhile is re-read next time
    state = cache.state_of(files, states)
    snapshot = cache.load(root, key)
    if snapshot is not None and snapshot.state == state:
        findings = sorted(snapshot.findings + snapshot.global_findings, key=Finding.sort_key)
        return _with_repository(settings, files, states, CheckResult(findings, len(files), snapshot.records, None,
                                                                     snapshot.notes, root, files_read=0))
    answer = incremental.recheck(settings, snapshot, files, states, state) if snapshot is not None else None
    if answer is None:
        repo = loaded or prepare(root, settings.today, files, states if settings.with_repository else None)
        findings = apply_rules(repo, CHECK_RULES, settings)
        answer = result_of(repo, findings, root), incremental.snapshot_of(repo, key, files, states, state, findings)
    result, snapshot = answer
    if not _opened_sealed(result.repo):
        cache.save(root, snapshot)
    return _with_repository(settings, files, states, result)


def _opened_sealed(repo: Repository | None) -> bool:
    """Whether this run opened sealed values: its findings and the cache's columns (phones for
    K301) would hold them in the clear, in a folder CI may keep between runs (actions/cache).
    Such a run is not cached."""
    tally = getattr(repo, "sealing", None)
    return bool(tally and tally.opened)


def _with_repository(settings: Settings, files: list[str], states: list[str], result: CheckResult) -> CheckResult:
    """The findings came from the cache; a caller that needs the records (the site) has them
    loaded -- unchanged files from kehu.records_cache -- without running the rules again."""
    if settings.with_repository and result.repo is None:
        result.repo = prepare(settings.root, settings.today, files, states)
    return result


