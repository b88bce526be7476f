"""generate(): the whole demo records tree, deterministic for a seed, today and size."""

from __future__ import annotations

import os
import time as _time
from datetime import date
from pathlib import Path

from demo import data as D
from demo import render
from demo.build import World, baseline, monthly_minimum
from demo.model import Customer, Disposal, Manifest, Scenario, Visit
from demo.scenarios import DEDICATED_CUSTOMERS, inject
from demo.vocab import ROOT, SCHEMA_DIR, Vocab, policy_schema

DEFAULT_SEED = 20261120
DEFAULT_TODAY = date(2026, 11, 20)
DEFAULT_OUT = ROOT / "records"
DEFAULT_DOCS = ROOT / "docs" / "demo.md"
RECORD_FOLDERS = ("staff", "customers", "visits", "complaints", "disposals")
SCENARIO_COMPLAINTS = 5


class OutNotEmpty(Exception):
    """--out holds files and --force was not given."""


def prepare_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise OutNotEmpty(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not force:
            raise OutNotEmpty(f"{out} is not empty: give --force to replace the demo records in it")
        policy = out / "policy.yaml"
        if policy.is_file():
            policy.unlink()
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
    out.mkdir(parents=True, exist_ok=True)


def generate(out: Path = DEFAULT_OUT, customers: int = 300, seed: int = DEFAULT_SEED,
             today: date = DEFAULT_TODAY, scenarios: bool = True, force: bool = False,
             docs: Path | None = None) -> Manifest:
    """Write the demo records under `out` (a records/ folder) and return what was written."""
    started = _time.perf_counter()
    out = Path(out)
    prepare_out(out, force)
    vocab = Vocab(SCHEMA_DIR)
    w = World(seed, today, vocab)
    dedicated = DEDICATED_CUSTOMERS if scenarios else 0
    target = round(customers * 0.15) - (SCENARIO_COMPLAINTS if scenarios else 0)
    baseline(w, max(customers - dedicated, 0), max(target, 0))
    builder = inject(w) if scenarios else None
    if builder is not None and builder.made != DEDICATED_CUSTOMERS:
        raise AssertionError(f"scenarios made {builder.made} customers, expected {DEDICATED_CUSTOMERS}")
    monthly_minimum(w)
    for c in w.customers:
        c.owner = c.owner_at(today)
    visits = assign_ids(w)
    for hook in builder.hooks if builder else ():
        hook()
    disposals = builder.disposals if builder else []
    files = write(out, w, visits, disposals)
    stories = sorted(resolve(builder) + overloaded_owners(w), key=lambda s: (s.code, not s.fires)) if builder else []
    manifest = Manifest(
        out=str(out), seed=seed, today=today, customers=len(w.customers), visits=len(visits),
        complaints=len(w.complaints), staff=len(D.STAFF), disposals=len(disposals), files=files,
        seconds=round(_time.perf_counter() - started, 2), scenarios=stories)
    if docs is not None:
        from demo.docs import write_docs

        write_docs(Path(docs), manifest, customers)
    return manifest


def assign_ids(w: World) -> list[Visit]:
    seq: dict[int, int] = {}
    for c in sorted(w.customers, key=lambda c: (c.reg_dt, c.serial)):
        n = seq[c.year] = seq.get(c.year, 0) + 1
        c.id = f"C{c.year:04d}-{n:04d}"
    visits = [v for c in w.customers for v in c.visits]
    visits.sort(key=lambda v: (v.at, v.order))
    seq.clear()
    for v in visits:
        n = seq[v.at.year] = seq.get(v.at.year, 0) + 1
        v.id = f"V{v.at.year:04d}-{n:06d}"
    seq.clear()
    w.complaints.sort(key=lambda t: (t.received_at, t.order))
    for t in w.complaints:
        n = seq[t.received_at.year] = seq.get(t.received_at.year, 0) + 1
        t.id = f"T{t.received_at.year:04d}-{n:04d}"
    return visits


def write(out: Path, w: World, visits: list[Visit], disposals: list[Disposal]) -> int:
    made: set[str] = set()
    count = 0
    base = str(out)

    def put(rel: str, kind: str, body: str, encoding: str = "utf-8") -> None:
        nonlocal count
        folder = rel.rpartition("/")[0]
        if folder and folder not in made:
            os.makedirs(os.path.join(base, folder), exist_ok=True)
            made.add(folder)
        with open(os.path.join(base, rel), "wb") as fh:
            fh.write((render.modeline(rel, kind) + body).encode(encoding))
        count += 1

    put("policy.yaml", "policy", render.policy(policy_schema(SCHEMA_DIR)))
    for row in D.STAFF:
        put(f"staff/{row[0]}.yaml", "staff", render.staff(row, w.leaver_left if row[0] == D.LEAVER else None))
    for c in w.customers:
        body = render.customer(c)
        if c.text_hook:
            body = c.text_hook(body)
        put(render.customer_path(c), "customer", body, c.encoding)
    for v in visits:
        put(render.visit_path(v), "visit", render.visit(v))
    for t in w.complaints:
        put(render.complaint_path(t), "complaint", render.complaint(t))
    for d in disposals:
        put(f"disposals/{d.at.year:04d}/{d.id}.yaml", "disposal", render.disposal(d))
    return count


def record_file(r) -> str | None:
    from demo.model import Complaint

    if isinstance(r, Customer):
        return "records/" + render.customer_path(r)
    if isinstance(r, Visit):
        return "records/" + render.visit_path(r)
    if isinstance(r, Complaint):
        return "records/" + render.complaint_path(r)
    if isinstance(r, Disposal):
        return f"records/disposals/{r.at.year:04d}/{r.id}.yaml"
    return None


def overloaded_owners(w) -> list[Scenario]:
    """K302 follows from the whole book, not one story: whoever holds more active customers
    than the demo policy allows."""
    from collections import Counter

    from demo.render import DEMO_POLICY
    from kehu.rules.k3_ownership import ACTIVE_STAGES

    limit = DEMO_POLICY["max_customers_per_owner"]
    counts = Counter(c.owner for c in w.customers if c.stage in ACTIVE_STAGES and c.owner != "pool")
    return [Scenario("K302", [owner], f"{owner} 名下有 {n} 位在跟进客户，超过本公司政策的上限 {limit} 位",
                     [f"records/staff/{owner}.yaml"], True)
            for owner, n in sorted(counts.items()) if n > limit]


def resolve(builder) -> list[Scenario]:
    out = []
    for story in builder.stories:
        ids, files = [], []
        for r in story.records:
            ids.append(r.id)
            f = record_file(r)
            if f and f not in files:
                files.append(f)
        named = ids + [r() if callable(r) else r.id for r in story.also]
        unique = list(dict.fromkeys(i for i in ids if i))
        out.append(Scenario(story.code, unique, story.story.format(*named), files, story.fires))
    order = {code: i for i, code in enumerate(sorted({s.code for s in out}))}
    out.sort(key=lambda s: (order[s.code], not s.fires))
    return out

