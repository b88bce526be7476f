"""The check cache: a re-run gives the full run's answer, reading only what changed."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, TODAY, git
from kehu.cache import FOLDER, folder_of
from kehu.check import Settings, run_check


def broken(repo):
    repo.visit(id="V2026-000002", staff="liuyng")


def forge(repo, marker: str) -> None:
    """Rewrite the cache as kehu would have written it, with the first finding's message changed."""
    path = folder_of(repo.root) / "check.json"
    header, summary, table = path.read_bytes().split(b"\n", 2)
    body = json.loads(summary)
    body["findings"][0][6] = marker
    summary = json.dumps(body, ensure_ascii=False).encode("utf-8")
    head = json.loads(header)
    head["summary"] = hashlib.sha256(summary).hexdigest()
    path.write_bytes(json.dumps(head).encode() + b"\n" + summary + b"\n" + table)


def test_warm_run_is_identical_and_comes_from_the_cache(repo):
    broken(repo)
    cold = repo.check("--format", "json")
    # outside git the cache ignores itself, in case the folder is put under git later
    assert (folder_of(repo.root) / "check.json").is_file() and (repo.root / FOLDER / ".gitignore").is_file()
    assert repo.check("--format", "json")[:2] == cold[:2]
    assert repo.check("--format", "json", "--no-cache")[:2] == cold[:2]
    forge(repo, "来自缓存")
    assert "来自缓存" in repo.check()[1]  # proof that the warm run read the cache


def test_a_changed_record_is_checked_again(repo):
    broken(repo)
    repo.check()
    forge(repo, "来自缓存")
    path = repo.root / "records/visits/2026/11/V2026-000002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("liuyng", "liuyang"), encoding="utf-8")
    code, out, err = repo.check()
    assert code == 0 and "来自缓存" not in out


def test_a_damaged_cache_is_rebuilt(repo):
    broken(repo)
    cold = repo.check("--format", "json")
    (folder_of(repo.root) / "check.json").write_text('{"format": 2, "key": "x"', encoding="utf-8")
    assert repo.check("--format", "json")[:2] == cold[:2]
    path = folder_of(repo.root) / "check.json"
    path.write_bytes(path.read_bytes().replace("员工 liuyng 不存在".encode(), "改过但没改校验和".encode()))
    assert "改过但没改校验和" not in repo.check()[1]


def test_a_damaged_table_is_not_used_to_recheck(repo):
    broken(repo)
    repo.check()
    path = folder_of(repo.root) / "check.json"
    header, summary, table = path.read_bytes().split(b"\n", 2)
    path.write_bytes(header + b"\n" + summary + b"\n" + table.replace(b"V2026-000002", b"V2026-000003"))
    repo.visit(id="V2026-000004", at="2026-11-13 10:00:00")
    result = run_check(Settings(repo.root, TODAY, use_cache=True))
    assert result.files_read == result.files  # a full run, not a re-check on a forged table
    assert [f.as_dict("zh") for f in result.findings] == repo.run()


def test_in_git_an_uncommitted_edit_is_seen(repo):
    git(repo.root, "init", "-q")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "r")
    assert repo.check()[0] == 0
    forge_target = repo.root / "records/visits/2026/11/V2026-000001.yaml"
    forge_target.write_text(forge_target.read_text(encoding="utf-8").replace("liuyang", "liuyng"), encoding="utf-8")
    code, out, err = repo.check()
    assert code == 1 and "liuyng" in out


def test_records_ignored_by_an_enclosing_git_repository_are_still_hashed(repo):
    outer = repo.root.parent
    (outer / ".gitignore").write_text("company/\n", encoding="utf-8")
    git(outer, "init", "-q")
    assert repo.check()[0] == 0
    assert (folder_of(repo.root) / "check.json").is_file()
    path = repo.root / "records/visits/2026/11/V2026-000001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("liuyang", "liuyng"), encoding="utf-8")
    code, out, err = repo.check()
    assert code == 1 and "liuyng" in out


def test_a_file_hidden_from_git_status_is_still_hashed(repo):
    git(repo.root, "init", "-q")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "r")
    assert repo.check()[0] == 0
    git(repo.root, "update-index", "--assume-unchanged", "records/visits/2026/11/V2026-000001.yaml")
    path = repo.root / "records/visits/2026/11/V2026-000001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("liuyang", "liuyng"), encoding="utf-8")
    code, out, err = repo.check()
    assert code == 1 and "liuyng" in out


# --- a re-check after edits gives the full run's answer ------------------------------------

def _text(path):
    return path.read_text(encoding="utf-8")


def _edit(path, old, new):
    text = _text(path)
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _customer(root, customer_id):
    return root / f"records/customers/{customer_id[1:5]}/{customer_id}.yaml"


def _visits_of(root, customer_id):
    return sorted(p for p in (root / "records/visits").rglob("*.yaml") if f"\ncustomer: {customer_id}\n" in _text(p))


def _field(path, name):
    return next(line.split(": ", 1)[1] for line in _text(path).splitlines() if line.startswith(f"{name}: "))


def _phone(path):
    lines = _text(path).splitlines()
    return lines[lines.index("phones:") + 1].strip()


EDITS = {
    "a visit's summary": lambda r: _edit(_visits_of(r, "C2026-0005")[0], "summary: ", "summary: 补记："),
    "a visit moves to another customer": lambda r: _edit(
        _visits_of(r, "C2026-0005")[0], "customer: C2026-0005", "customer: C2026-0006"),
    "a visit names a customer that does not exist": lambda r: _edit(
        _visits_of(r, "C2026-0006")[0], "customer: C2026-0006", "customer: C2026-9006"),
    "that customer is created": lambda r: _customer(r, "C2026-9006").write_text(
        _text(_customer(r, "C2026-0007")).replace("C2026-0007", "C2026-9006").replace(
            _phone(_customer(r, "C2026-0007")), "'13500000001'"), encoding="utf-8"),
    "an earlier registration takes a phone (the collision moves)": lambda r: _customer(r, "C2025-9001").write_text(
        _text(_customer(r, "C2026-0008")).replace("C2026-0008", "C2025-9001").replace(
            "registered_at: 2026", "registered_at: 2025"), encoding="utf-8"),
    "a customer with visits is deleted": lambda r: _customer(r, "C2026-0010").unlink(),
    "a customer gets another id (the file name no longer matches)": lambda r: _edit(
        _customer(r, "C2026-0011"), "id: C2026-0011", "id: C2026-0012"),
    "a visit is broken YAML": lambda r: _visits_of(r, "C2026-0013")[0].write_text(
        "id: [V2026\n", encoding="utf-8"),
    "a visit is copied under its own id": lambda r: shutil.copy(
        _visits_of(r, "C2026-0014")[0],
        (r / "records/visits/2026/12").mkdir() or r / "records/visits/2026/12" / _visits_of(r, "C2026-0014")[0].name),
    "one owner takes many customers": lambda r: [
        _edit(_customer(r, f"C2026-{n:04d}"), f"owner: {_field(_customer(r, f'C2026-{n:04d}'), 'owner')}",
              "owner: wujing") for n in range(15, 40) if _customer(r, f"C2026-{n:04d}").is_file()],
    "a file in GBK": lambda r: (r / "records/visits/2026/02/V2026-099999.yaml").write_bytes(
        "id: V2026-099999\nsummary: 客户来电\n".encode("gbk")),
    "an empty file and one in an unknown folder": lambda r: [
        (r / "records/visits/2026/02/V2026-099998.yaml").write_text("", encoding="utf-8"),
        (r / "records/misc").mkdir(), (r / "records/misc/note.yaml").write_text("id: C2026-0001\n", encoding="utf-8")],
    "a staff member leaves (every rule may care: full run)": lambda r: _edit(
        r / "records/staff/wujing.yaml", "active: true", "active: false"),
    "the policy changes (full run)": lambda r: _edit(
        r / "records/policy.yaml", "max_customers_per_owner: 10", "max_customers_per_owner: 8"),
    "a complaint is closed": lambda r: _edit(
        next(p for p in sorted((r / "records/complaints").rglob("*.yaml")) if "status: 受理" in _text(p)),
        "status: 受理", "status: 已解决"),
}
FULL = ("a staff member leaves (every rule may care: full run)", "the policy changes (full run)")


@pytest.mark.parametrize("in_git", [True, False], ids=["in git", "outside git"])
def test_a_recheck_after_each_kind_of_edit_equals_a_full_run(tmp_path, in_git):
    root = tmp_path / "company"
    shutil.copytree(PROJECT / "records", root / "records")
    if in_git:
        git(root, "init", "-q")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "demo")
    first = run_check(Settings(root, TODAY, use_cache=True))
    assert first.files_read == first.files
    for name, edit in EDITS.items():
        edit(root)
        again = run_check(Settings(root, TODAY, use_cache=True))
        full = run_check(Settings(root, TODAY))
        assert [f.as_dict("zh") for f in again.findings] == [f.as_dict("zh") for f in full.findings], name
        assert (again.files, again.records) == (full.files, full.records), name
        if name in FULL:
            assert again.files_read == full.files, name
        else:
            assert again.files_read < full.files / 5, name  # only the customers the edit touched
        assert run_check(Settings(root, TODAY, use_cache=True)).files_read == 0, name


# --- outside git: a file's blob id is remembered with its stat, as git's index does -------

def test_outside_git_an_unchanged_file_is_not_read_again(repo, monkeypatch):
    from kehu import cache

    monkeypatch.setattr(cache._Hashed, "RACY_NS", 0)  # the fixture's files are seconds old, not minutes
    assert run_check(Settings(repo.root, TODAY, use_cache=True)).files_read > 0
    hashed = []
    original = cache._blob_id
    monkeypatch.setattr(cache, "_blob_id", lambda path: hashed.append(path) or original(path))
    assert run_check(Settings(repo.root, TODAY, use_cache=True)).files_read == 0
    assert hashed == []


def test_outside_git_a_rewrite_that_keeps_size_and_mtime_is_still_seen(repo, monkeypatch):
    import os

    from kehu import cache

    monkeypatch.setattr(cache._Hashed, "RACY_NS", 0)
    run_check(Settings(repo.root, TODAY, use_cache=True))
    path = repo.root / "records/visits/2026/11/V2026-000001.yaml"
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("liuyang", "liuyng", 1) + " ", encoding="utf-8")
    path.write_bytes(path.read_bytes()[:before.st_size])  # same size ...
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # ... same modification time
    again = run_check(Settings(repo.root, TODAY, use_cache=True))
    assert [f.code for f in again.findings] == ["K201"]  # the change time gave it away


def test_a_file_written_moments_ago_is_not_remembered(repo):
    import json

    run_check(Settings(repo.root, TODAY, use_cache=True))
    memo = (repo.root / FOLDER / "blobs.json").read_bytes().split(b"\n", 1) if (
        repo.root / FOLDER / "blobs.json").exists() else [b"", b"{}"]
    assert "records/visits/2026/11/V2026-000001.yaml" not in json.loads(memo[1])


# --- what the key covers ---------------------------------------------------------------------

@pytest.fixture
def package(tmp_path):
    """A copy of the kehu package to edit, and the key it gives."""
    from kehu import cache_key as cache

    copy = tmp_path / "kehu"
    shutil.copytree(cache.CODE, copy, ignore=shutil.ignore_patterns("__pycache__"))

    def key():
        return cache.key(PROJECT / "schemas", TODAY, ((), ()), package=copy)
    return copy, key


def _append(path, line):
    path.write_text(path.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")


@pytest.mark.parametrize("output", ["site/pages.py", "site/build.py", "report/text.py", "review/__init__.py",
                                    "exchange/importer.py", "cli.py", "stats.py"])
def test_editing_code_that_only_presents_findings_keeps_the_key(package, output):
    copy, key = package
    before = key()
    _append(copy / output, "# edited")
    assert key() == before


@pytest.mark.parametrize("decider", ["rules/k4_followup.py", "rules/base.py", "load/yamlfile.py", "validate.py",
                                     "engine.py", "pipeline.py", "facts.py", "calendar.py", "timeutil.py",
                                     "findings.py", "incremental.py", "cache.py", "check.py", "__init__.py"])
def test_editing_code_that_decides_findings_changes_the_key(package, decider):
    copy, key = package
    before = key()
    _append(copy / decider, "# edited")
    assert key() != before


def test_a_module_a_rule_starts_to_import_is_in_the_key_from_then_on(package):
    copy, key = package
    (copy / "site" / "helper.py").write_text("LIMIT = 3\n", encoding="utf-8")
    before = key()
    _append(copy / "site" / "helper.py", "# edited")
    assert key() == before  # nothing that decides findings imports it yet
    _append(copy / "rules" / "k4_followup.py", "\n\ndef _limit():\n"
            "    from kehu.site.helper import (  # inside a function, in parentheses\n"
            "        LIMIT,\n"
            "    )\n"
            "    return LIMIT")
    with_import = key()
    _append(copy / "site" / "helper.py", "# edited again")
    assert key() != with_import


def test_every_module_a_check_loads_is_in_the_key():
    """`sources()` reads import statements; what Python really loads for a check must be among them."""
    from kehu import cache_key as cache

    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, kehu.check, kehu.incremental, kehu.edit\n"
         "print('\\n'.join(m.__file__ for n, m in sorted(sys.modules.items()) if n.split('.')[0] == 'kehu'))"],
        capture_output=True, text=True, check=True).stdout.split()
    hashed = {relative for relative, _ in cache.sources()}
    assert {Path(f).resolve().relative_to(cache.CODE).as_posix() for f in loaded} <= hashed
    assert not any(relative.startswith(("site/", "report/", "review/", "exchange/")) for relative in hashed)
