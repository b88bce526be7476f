"""The demo on disk: an out folder made ready (emptied of old demo records with --force), and
every record written as a file with its schema's modeline."""

from __future__ import annotations

import os
from pathlib import Path

from demo import appeals, complaints, customers, disposals, policy, staff, visits
from demo import tables as D
from demo.model import Appeal, Disposal, Visit
from demo.world import World
from demo.yamltext import modeline

RECORD_FOLDERS = ("staff", "customers", "visits", "complaints", "disposals", "appeals")


class OutNotEmpty(Exception):
    """--out holds files and --force was not given."""


def prepare_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise OutNotEmpty(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise OutNotEmpty(f"{out} is not empty: give --force to replace the demo records in it")
        _remove_records(out)
    out.mkdir(parents=True, exist_ok=True)


def _remove_records(out: Path) -> None:
    """policy.yaml and every *.yaml/*.yml in the record folders; then the folders left empty."""
    policy_file = out / "policy.yaml"
    if policy_file.is_file():
        policy_file.unlink()
    for name in RECORD_FOLDERS:
        folder = out / name
        if not folder.is_dir():
            continue
        for dirpath, _dirs, filenames in os.walk(folder):
            for filename in filenames:
                if filename.endswith((".yaml", ".yml")):
                    os.unlink(os.path.join(dirpath, filename))
        for dirpath, _dirs, _files in sorted(os.walk(folder), key=lambda x: -len(x[0])):
            try:
                os.rmdir(dirpath)  # only empty folders go
            except OSError:
                pass


def write(out: Path, w: World, visit_records: list[Visit], disposal_records: list[Disposal],
          appeal_records: list[Appeal] = ()) -> int:
    """Every file, each with its schema's modeline; how many were written."""
    folders: set[str] = set()
    count = 0
    base = str(out)

    def put(rel: str, kind: str, body: str, encoding: str = "utf-8") -> None:
        nonlocal count
        folder = rel.rpartition("/")[0]
        if folder and folder not in folders:
            os.makedirs(os.path.join(base, folder), exist_ok=True)
            folders.add(folder)
        with open(os.path.join(base, rel), "wb") as fh:
            fh.write((modeline(rel, kind) + body).encode(encoding))
        count += 1

    put("policy.yaml", "policy", policy.render())
    for person in D.STAFF:
        put(staff.path(person), "staff", staff.render(person, w.leaver_left if person["id"] == D.LEAVER else None))
    for c in w.customers:
        body = customers.render(c)
        if c.text_hook:
            body = c.text_hook(body)
        put(customers.path(c), "customer", body, c.encoding)
    for v in visit_records:
        put(visits.path(v), "visit", visits.render(v))
    for t in w.complaints:
        put(complaints.path(t), "complaint", complaints.render(t))
    for d in disposal_records:
        put(disposals.path(d), "disposal", disposals.render(d))
    for a in appeal_records:
        put(appeals.path(a), "appeal", appeals.render(a))
    return count
