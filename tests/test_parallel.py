"""kehu.parallel: records read in chunks by several processes come back as one process reads them."""

from __future__ import annotations

from conftest import PROJECT, TODAY
from kehu import parallel
from kehu.pipeline import prepare


def test_chunks_shared_between_workers_and_this_process_come_back_in_file_order(monkeypatch):
    monkeypatch.setenv("KEHU_JOBS", "1")
    one = prepare(PROJECT, TODAY)
    monkeypatch.setenv("KEHU_JOBS", "2")
    monkeypatch.setattr(parallel, "CHUNK", 97)  # dozens of chunks: this process takes some from the back
    many = prepare(PROJECT, TODAY)
    assert [(r.file, r.kind, r.valid, r.data) for r in many.records] == [(r.file, r.kind, r.valid, r.data)
                                                                          for r in one.records]
    assert [type(v) for r in many.records for v in r.data.values()] == [type(v) for r in one.records
                                                                        for v in r.data.values()]
    assert many.problems == one.problems and many.files == one.files
    assert [(h.record.file, h.path, h.message) for h in many.schema_problems] == [
        (h.record.file, h.path, h.message) for h in one.schema_problems]


def test_a_small_repository_is_read_in_this_process(monkeypatch):
    monkeypatch.delenv("KEHU_JOBS", raising=False)
    assert parallel.jobs(parallel.PARALLEL_FROM - 1) == 1
    monkeypatch.setenv("KEHU_JOBS", "1")
    assert parallel.jobs(10 ** 6) == 1
