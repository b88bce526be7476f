"""kehu.records_cache: what the site reads from the cache is what reading the files gives."""

from __future__ import annotations

import shutil

from conftest import PROJECT, TODAY
from kehu import cache, records_cache
from kehu.pipeline import prepare


def _shape(repo):
    return ([(r.file, r.kind, r.valid, r.data, [type(v) for v in r.data.values()]) for r in repo.records],
            repo.problems, [(h.record.file, h.path, h.at_key, h.message) for h in repo.schema_problems], repo.files)


def test_records_from_the_cache_equal_the_files_read_again(tmp_path, monkeypatch):
    root = tmp_path / "demo"
    shutil.copytree(PROJECT / "records", root / "records")
    (root / "kehu.yaml").write_text("site_name: demo\n", encoding="utf-8")
    files, states = cache.survey(root)
    fresh = prepare(root, TODAY, files)
    first = prepare(root, TODAY, files, states)  # reads every file, writes the cache
    calls = []
    real = records_cache.parallel.read
    monkeypatch.setattr(records_cache.parallel, "read", lambda root, files, *rest: calls.append(files) or real(root, files, *rest))
    second = prepare(root, TODAY, files, states)  # from the cache
    assert calls == [] and _shape(second) == _shape(fresh) == _shape(first)
    # an edited file is read again, the rest of its folder still comes from the cache
    edited = next(f for f in files if f.startswith("records/customers/"))
    path = root / edited
    path.write_text(path.read_text(encoding="utf-8") + "notes: 改过\n", encoding="utf-8")
    files, states = cache.survey(root)
    third = prepare(root, TODAY, files, states)
    assert calls == [[edited]]
    assert _shape(third) == _shape(prepare(root, TODAY, files))


def test_a_damaged_part_of_the_cache_is_read_from_the_files_again(tmp_path, monkeypatch):
    root = tmp_path / "demo"
    shutil.copytree(PROJECT / "records", root / "records")
    files, states = cache.survey(root)
    prepare(root, TODAY, files, states)
    [part] = [p for p in cache.folder_of(root).glob("records-*.json")
              if b'"folder":"records/staff"' in p.read_bytes().split(b"\n", 1)[0].replace(b" ", b"")]
    header, body = part.read_bytes().split(b"\n", 1)
    assert b'"name":"' in body
    part.write_bytes(header + b"\n" + body.replace(b'"name":"', b'"name":"\xe7\xaf\xa1\xe6\x94\xb9', 1))  # 篡改
    calls = []
    real = records_cache.parallel.read
    monkeypatch.setattr(records_cache.parallel, "read", lambda root, files, *rest: calls.append(files) or real(root, files, *rest))
    repo = prepare(root, TODAY, files, states)
    assert calls and all(f.startswith("records/staff/") for f in calls[0])
    assert _shape(repo) == _shape(prepare(root, TODAY, files))
