"""generate(): the whole demo records tree, deterministic for a seed, today and size."""

from __future__ import annotations

import time as _time
from datetime import date
from pathlib import Path

from demo import tables as D
from demo.baseline import baseline
from demo.files import prepare_out, write
from demo.model import Manifest, Visit
from demo.scenarios import inject
from demo.stories import DEDICATED_CUSTOMERS, overloaded_owners, resolve
from demo.visits import monthly_minimum
from demo.vocab import ROOT, SCHEMA_DIR, Vocab
from demo.world import World

DEFAULT_SEED = 20261120
DEFAULT_TODAY = date(2026, 11, 20)
DEFAULT_OUT = ROOT / "records"
DEFAULT_DOCS = ROOT / "docs" / "demo.md"
SCENARIO_COMPLAINTS = 5


def generate(out: Path = DEFAULT_OUT, customers: int = 300, seed: int = DEFAULT_SEED,
             today: date = DEFAULT_TODAY, scenarios: bool = True, force: bool = False,
             docs: Path | None = None) -> Manifest:
    """Write the demo records under `out` (a records/ folder) and return what was written."""
    started = _time.perf_counter()
    out = Path(out)
    prepare_out(out, force)
    w = World(seed, today, Vocab(SCHEMA_DIR))
    dedicated = DEDICATED_CUSTOMERS if scenarios else 0
    target = round(customers * 0.15) - (SCENARIO_COMPLAINTS if scenarios else 0)
    baseline(w, max(customers - dedicated, 0), max(target, 0))
    builder = inject(w) if scenarios else None
    if builder is not None and builder.made != DEDICATED_CUSTOMERS:
        raise AssertionError(f"scenarios made {builder.made} customers, expected {DEDICATED_CUSTOMERS}")
    monthly_minimum(w)
    for c in w.customers:
        c.owner = c.owner_at(today)
    all_visits = assign_ids(w)
    for hook in builder.hooks if builder else ():
        hook()
    disposal_records = builder.disposals if builder else []
    files = write(out, w, all_visits, disposal_records, builder.appeals if builder else [])
    stories = sorted(resolve(builder) + overloaded_owners(w), key=lambda s: (s.code, not s.fires)) if builder else []
    manifest = Manifest(
        out=str(out), seed=seed, today=today, customers=len(w.customers), visits=len(all_visits),
        complaints=len(w.complaints), staff=len(D.STAFF), disposals=len(disposal_records), files=files,
        seconds=round(_time.perf_counter() - started, 2), scenarios=stories)
    if docs is not None:
        from demo.docs import write_docs

        write_docs(Path(docs), manifest, customers)
    return manifest


def assign_ids(w: World) -> list[Visit]:
    """Ids in the order records were registered, numbered per year; every visit, in that order."""
    seq: dict[int, int] = {}
    for c in sorted(w.customers, key=lambda c: (c.reg_dt, c.serial)):
        n = seq[c.year] = seq.get(c.year, 0) + 1
        c.id = f"C{c.year:04d}-{n:04d}"
    ordered = [v for c in w.customers for v in c.visits]
    ordered.sort(key=lambda v: (v.at, v.order))
    seq.clear()
    for v in ordered:
        n = seq[v.at.year] = seq.get(v.at.year, 0) + 1
        v.id = f"V{v.at.year:04d}-{n:06d}"
    seq.clear()
    w.complaints.sort(key=lambda t: (t.received_at, t.order))
    for t in w.complaints:
        n = seq[t.received_at.year] = seq.get(t.received_at.year, 0) + 1
        t.id = f"T{t.received_at.year:04d}-{n:04d}"
    return ordered

