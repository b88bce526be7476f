"""Reading and schema-checking every record file, on every core.

A cold check spends most of its time composing YAML (PyYAML's C loader) and validating
each record against its schema: file by file, nothing shared between files. At company
size the files are cut into chunks; worker processes take chunks from the front, this
process takes them from the back while it waits (a chunk no worker has started yet is
withdrawn from them), and the answers are put back in file order. So the repository, its
problems and its schema findings are exactly those of a run in one process -- a test
compares the JSON of both on the demo.

A small repository is read here, in one process: starting another costs more than it
saves below a few thousand files. `KEHU_JOBS` sets the number of processes (1: this one
only); by default every core kehu may use, from PARALLEL_FROM files.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from kehu.load import Record, load_file
from kehu.load.locate import locate
from kehu.validate import Schemas

PARALLEL_FROM = 4000  # files
CHUNK = 1500  # files per task: big enough that passing it costs little, small enough to share out evenly
JOBS_VARIABLE = "KEHU_JOBS"

# (file, record or None, load problems, schema problems of the record or None)
Read = tuple


def jobs(files: int, threshold: int = PARALLEL_FROM) -> int:
    """How many processes share `files` pieces of work: one below `threshold`, else one per
    core kehu may use; KEHU_JOBS decides if set."""
    wanted = os.environ.get(JOBS_VARIABLE, "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    if files < threshold:
        return 1
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def read(root: Path, files: list[str], max_bytes: int, schemas: Schemas) -> list[Read]:
    """Every file loaded and its record schema-checked, in the order of `files`."""
    processes = min(jobs(len(files)), max(1, len(files)))
    if processes == 1:
        return _read_chunk(str(root), files, max_bytes, schemas)
    chunks = [files[start:start + CHUNK] for start in range(0, len(files), CHUNK)]
    answers: list[list[Read] | None] = [None] * len(chunks)
    global _SCHEMAS
    _SCHEMAS = schemas  # a forked worker finds them compiled already
    try:
        with ProcessPoolExecutor(processes - 1, mp_context=_context(), initializer=_start,
                                 initargs=(str(schemas.directory), gc.isenabled())) as pool:
            futures = [pool.submit(_read_chunk, str(root), chunk, max_bytes) for chunk in chunks]
            for index in reversed(range(len(chunks))):
                if not futures[index].cancel():
                    break  # the workers have reached this chunk: they read the rest
                answers[index] = _read_chunk(str(root), chunks[index], max_bytes, schemas)
            for index, future in enumerate(futures):
                if answers[index] is None:
                    answers[index] = future.result()
    finally:
        _SCHEMAS = None
    return [item for answer in answers for item in answer]


def _context():
    """fork where it is safe (no other thread that a child would inherit half-way), which
    starts a worker in milliseconds with the schemas already compiled; else spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


_SCHEMAS: Schemas | None = None


def _start(schema_directory: str, collect: bool) -> None:
    global _SCHEMAS
    if not collect:
        gc.disable()  # as in the check that started the worker: records make no cycles
    if _SCHEMAS is None or str(_SCHEMAS.directory) != schema_directory:
        _SCHEMAS = Schemas(Path(schema_directory))


def _read_chunk(root: str, files: list[str], max_bytes: int, schemas: Schemas | None = None) -> list[Read]:
    schemas = schemas or _SCHEMAS
    out = []
    for relative in files:
        record, problems = load_file(Path(root), relative, max_bytes)
        out.append((relative, record, problems, None if record is None else schema_problems(schemas, record, root)))
    return out


def schema_problems(schemas: Schemas, record: Record, root: str) -> list | None:
    """The record's schema problems as (path, at_key, Text); None for a record of no kind."""
    if record.kind is None:
        return None
    on_disk = os.path.join(root, record.file)
    return list(schemas.check(record.kind, record.data, lambda path: locate(Path(on_disk), path).source))
