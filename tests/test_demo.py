"""The bundled demo: generated, committed as generated, and showing every rule."""

from __future__ import annotations

import filecmp
from datetime import date

import pytest

from conftest import PROJECT
from demo import generate  # the project's top is on the path (pyproject: pythonpath)
from kehu.check import Settings, run_check
from kehu.rules import RULES

DEMO_TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "records"
    return out, generate(out, docs=out.parent / "demo.md")


@pytest.fixture(scope="module")
def demo_check():
    return run_check(Settings(PROJECT, DEMO_TODAY))


@pytest.fixture(scope="module")
def demo_findings(demo_check):
    return demo_check.findings


def _tree(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_committed_demo_is_exactly_what_the_generator_writes(manifest):
    out, _ = manifest
    committed = PROJECT / "records"
    assert _tree(out) == _tree(committed)
    mismatch = filecmp.cmpfiles(committed, out, _tree(out), shallow=False)[1]
    assert not mismatch, mismatch[:5]
    assert (out.parent / "demo.md").read_text(encoding="utf-8") == (PROJECT / "docs" / "demo.md").read_text(encoding="utf-8")


def test_demo_size_is_as_promised(manifest):
    _, m = manifest
    assert 12 <= m.staff <= 20 and 280 <= m.customers <= 330
    assert 2500 <= m.visits <= 3500 and 30 <= m.complaints <= 60


def test_every_rule_is_violated_somewhere_in_the_demo(demo_findings):
    fired = {f.code for f in demo_findings}
    checked = {code for code, rule in RULES.items() if rule.stage == "check"}  # K8xx need a git change
    assert checked <= fired, sorted(checked - fired)


def test_every_documented_story_is_true(manifest, demo_findings):
    _, m = manifest
    fired = {(f.code, f.record) for f in demo_findings} | {(f.code, f.file) for f in demo_findings}
    for story in m.scenarios:
        for target in story.record_ids or story.files:
            # an unreadable file has no record id: its finding names the file instead
            files = [f for f in story.files if target.lower() in f.lower()] or [target]
            hit = (story.code, target) in fired or any((story.code, f) in fired for f in files)
            assert hit == story.fires, (story.code, target, story.story_zh)


def test_each_rule_is_also_satisfied_somewhere(demo_check):
    """A rule that fired on most of the records it looks at would show nothing about what
    is right: each rule fires on less than a third of its own population (the records of the
    kind it found something on: complaints for K5, visits for K701 on a summary ...)."""
    repo = demo_check.repo
    kind_of = {record.id: record.kind for record in repo.records if record.id}
    population = {kind: len(repo.of(kind, valid_only=False)) for kind in set(kind_of.values())}
    per_code: dict[str, dict[str, set]] = {}
    for f in demo_check.findings:
        if f.record in kind_of:
            per_code.setdefault(f.code, {}).setdefault(kind_of[f.record], set()).add(f.record)
    assert per_code, "the demo has findings on records"
    for code, by_kind in per_code.items():
        for kind, records in by_kind.items():
            assert len(records) < population[kind] / 3, (code, kind, len(records), population[kind])
