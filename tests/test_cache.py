"""The check cache: used only when nothing it depends on changed, never trusted otherwise."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess

from kehu.cache import FOLDER

CACHE = f"{FOLDER}/check.json"


def broken(repo):
    repo.visit(id="V2026-000002", staff="liuyng")


def forge(repo, marker: str) -> None:
    """Rewrite the cache as kehu would have written it, with one message changed."""
    path = repo.root / CACHE
    document = json.loads(path.read_text(encoding="utf-8"))
    document["payload"]["findings"][0]["zh"] = marker
    payload = json.dumps(document["payload"], ensure_ascii=False, sort_keys=True).encode("utf-8")
    document["checksum"] = hashlib.sha256(payload).hexdigest()
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def test_warm_run_is_identical_and_comes_from_the_cache(repo):
    broken(repo)
    cold = repo.check("--format", "json")
    assert (repo.root / CACHE).is_file() and (repo.root / FOLDER / ".gitignore").is_file()
    assert repo.check("--format", "json")[:2] == cold[:2]
    assert repo.check("--format", "json", "--no-cache")[:2] == cold[:2]
    forge(repo, "来自缓存")
    assert "来自缓存" in repo.check()[1]  # proof that the warm run read the cache


def test_a_changed_record_makes_the_cache_stale(repo):
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
    (repo.root / CACHE).write_text('{"format": 1, "key": "x", "payload": ', encoding="utf-8")
    assert repo.check("--format", "json")[:2] == cold[:2]
    path = repo.root / CACHE
    document = json.loads(path.read_text(encoding="utf-8"))
    document["payload"]["findings"][0]["zh"] = "改过但没改校验和"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert "改过但没改校验和" not in repo.check()[1]


def test_in_git_an_uncommitted_edit_is_seen(repo):
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "r"]):
        subprocess.run(["git", *args], cwd=repo.root, env=env, check=True, capture_output=True)
    assert repo.check()[0] == 0
    forge_target = repo.root / "records/visits/2026/11/V2026-000001.yaml"
    forge_target.write_text(forge_target.read_text(encoding="utf-8").replace("liuyang", "liuyng"), encoding="utf-8")
    code, out, err = repo.check()
    assert code == 1 and "liuyng" in out


def test_records_ignored_by_an_enclosing_git_repository_are_still_hashed(repo):
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    outer = repo.root.parent
    (outer / ".gitignore").write_text("company/\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=outer, env=env, check=True)
    assert repo.check()[0] == 0
    assert (repo.root / CACHE).is_file()
    path = repo.root / "records/visits/2026/11/V2026-000001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("liuyang", "liuyng"), encoding="utf-8")
    code, out, err = repo.check()
    assert code == 1 and "liuyng" in out
