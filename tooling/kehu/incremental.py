"""A re-check of a repository where only some files changed since the cached run.

Rules look at one customer at a time, with the records that name it (its visits, its
complaints), and at staff and policy; the few that compare records across the whole
repository (K202 ids, K301 phones, K302 counts) say which top-level fields they read.

So a changed file marks the customers it belongs to, before and after the change. Their
files are read again and the per-customer rules run on them; the cross-repository rules run
on every record, with the cache's copy of the fields they read standing in for the files
that did not change; every other finding comes from the cache. The answer is the one a
full run gives, and tests compare the two after many kinds of edit.

Where that reasoning would not hold, `recheck` gives up and the caller runs in full: a
staff or policy file changed (every rule may read them), the working-day calendar had to
guess a year (its note depends on every complaint), or a rule crashed.
"""

from __future__ import annotations

from bisect import bisect_left

from kehu import cache
from kehu.facts import values_at
from kehu.findings import Finding
from kehu.load import (
    RECORDS_DIR,
    Record,
    Repository,
    assemble,
    kind_of_location,
    load_file,
    max_file_kb,
)
from kehu.load.locate import clear_cache
from kehu.pipeline import CHECK_RULES, CheckResult, Settings, apply_rules, sealing_notes
from kehu.sealing import Tally, identity_note
from kehu.validate import Schemas, schema_dir, validate

ALWAYS_READ = ("staff", "policy")
ALWAYS_READ_PREFIXES = tuple(f"{RECORDS_DIR}/{name}" for name in ALWAYS_READ)
# an unknown-reference hint names the nearest existing customer id: it depends on every id
NAMES_NEAREST_ID = "K201"
ACROSS = {code: rule for code, rule in CHECK_RULES.items() if rule.reads is not None}
PER_CUSTOMER = {code: rule for code, rule in CHECK_RULES.items() if rule.reads is None}
# `exceptions` too: a finding of a cross-repository rule may be excepted on its record
FIELDS_READ_ACROSS = sorted({name for rule in ACROSS.values() for name in rule.reads} - {"id"} | {"exceptions"})
KEPT_KINDS = ("customer", "visit", "complaint", "disposal", "appeal")  # schema-checked: JSON-safe once valid
NO_KIND = ""  # a record kehu could not place (kind None); a file with no record has kind None here
ALIGNED = ("kinds", "valid", "ids", "customers")
WITHHELD = "(sealed values not opened)"  # under `fields`: never a field name, stripped from stand-ins


class Table:
    """Per file, what the next run needs without reading it: kind, validity, id, the
    customers it belongs to (one id, a list, or None), and -- under `fields`, by path -- the
    fields the cross-repository rules read. Lists are aligned with `files`, which is sorted."""

    def __init__(self, columns: dict):
        self.columns = columns
        self.files: list[str] = columns["files"]
        self.states: list[str] = columns["states"]
        self.kinds, self.valid, self.ids, self.names = (columns[name] for name in ALIGNED)
        self.fields: dict = columns["fields"]
        if not all(len(column) == len(self.files) for column in (self.states, *(columns[n] for n in ALIGNED))):
            raise ValueError("columns of different lengths")

    @classmethod
    def of(cls, files: list[str], states: list[str], read: dict[str, Record], references) -> Table:
        """The table of a full run: every file was read."""
        columns = {"files": files, "states": states, **{name: [None] * len(files) for name in ALIGNED},
                   "fields": {}}
        table = cls(columns)
        for index, relative in enumerate(files):
            table._put(index, read.get(relative), references)
        return table

    def updated(self, files: list[str], states: list[str], read: dict[str, Record | None], removed: set[str],
                references) -> Table:
        """This table with the files just read put in, and removed files taken out."""
        if files == self.files:
            columns = {name: list(self.columns[name]) for name in ALIGNED}
        else:
            at = [self.at(relative) for relative in files]
            columns = {name: [None if i is None else self.columns[name][i] for i in at] for name in ALIGNED}
        fields = {relative: kept for relative, kept in self.fields.items()
                  if relative not in read and relative not in removed}
        table = Table({"files": files, "states": states, **columns, "fields": fields})
        for relative, record in read.items():
            table._put(bisect_left(files, relative), record, references)
        return table

    def _put(self, index: int, record: Record | None, references) -> None:
        relative = self.files[index]
        self.fields.pop(relative, None)
        if record is None:
            self.kinds[index], self.valid[index], self.ids[index], self.names[index] = None, False, None, None
            return
        names = customers_of(record, references)
        self.kinds[index] = record.kind or NO_KIND
        self.valid[index] = record.valid
        self.ids[index] = record.id
        self.names[index] = names[0] if len(names) == 1 else names or None
        if record.kind in KEPT_KINDS and record.valid:
            kept = {name: record.data[name] for name in FIELDS_READ_ACROSS if name in record.data}
            if record.withheld:  # how many sealed values this run could not open, for the note
                kept[WITHHELD] = len(record.withheld)
            if kept:
                self.fields[relative] = kept

    def at(self, relative: str) -> int | None:
        index = bisect_left(self.files, relative)
        return index if index < len(self.files) and self.files[index] == relative else None

    def customers(self, index: int) -> list[str]:
        names = self.names[index]
        return [names] if isinstance(names, str) else names or []

    def records(self, read: dict[str, Record | None], removed: set[str]) -> list[Record]:
        """Every record in file order: the ones just `read`, and for every other file still
        there a stand-in made of its cached fields."""
        fields, records = self.fields, []
        for relative, kind, valid, record_id in zip(self.files, self.kinds, self.valid, self.ids):
            if relative in read or relative in removed:
                continue
            if kind is not None:
                data = {**fields[relative], "id": record_id} if relative in fields else {"id": record_id}
                data.pop(WITHHELD, None)
                if record_id is None:
                    del data["id"]
                records.append(Record(kind or None, relative, data, valid))
        records.extend(record for record in read.values() if record is not None)
        return sorted(records, key=_file) if read else records

    def withheld(self, leaving=()) -> int:
        """Sealed values the runs behind this table could not open, but in the files `leaving`."""
        return sum(kept.get(WITHHELD, 0) for relative, kept in self.fields.items() if relative not in leaving)

    def customer_files(self) -> dict[str, str]:
        return {relative: record_id for relative, kind, record_id in zip(self.files, self.kinds, self.ids)
                if kind == "customer" and record_id is not None}


def customers_of(record: Record, references) -> list[str]:
    """The customers a record belongs to: itself, if it is one, and every customer it names."""
    found = {record.id} if record.kind == "customer" and record.id is not None else set()
    for path, target in references.get(record.kind, ()):
        if target == "customer":
            found.update(value for _, value in values_at(record.data, path) if isinstance(value, str))
    return sorted(found)


def snapshot_of(repo: Repository, key: str, files: list[str], states: list[str], state: str,
                findings: list[Finding]) -> cache.Snapshot:
    """What a full run of `files` leaves for the next run."""
    table = Table.of(files, states, {record.file: record for record in repo.records}, repo.schemas.references)
    return cache.Snapshot(key, state, len(files), len(repo.records),
                          [f for f in findings if f.code not in ACROSS], [f for f in findings if f.code in ACROSS],
                          repo.calendar.notes() + sealing_notes(repo), table.columns)


def recheck(settings: Settings, snapshot: cache.Snapshot, files: list[str], states: list[str], state: str):
    """(CheckResult, new Snapshot) from the snapshot and the files that changed, or None."""
    old = _table(snapshot)
    if old is None:
        return None
    changed, removed = _changes(old, files, states)
    if any(_always_read(f) for f in (*changed, *removed)):
        return None
    root = settings.root
    schemas = Schemas(schema_dir(root))
    clear_cache()
    max_bytes = max_file_kb(root) * 1024
    loaded = {relative: load_file(root, relative, max_bytes) for relative in changed}
    touched = _touched_customers(old, snapshot, loaded, removed, schemas.references)
    for index, names in enumerate(old.names):
        if names is not None and (names in touched if isinstance(names, str) else not touched.isdisjoint(names)):
            relative = old.files[index]
            if relative not in loaded and relative not in removed:
                loaded[relative] = load_file(root, relative, max_bytes)
    for relative in files:
        if _always_read(relative) and relative not in loaded:
            loaded[relative] = load_file(root, relative, max_bytes)
    part = assemble(root, settings.today, ((f, *loaded[f]) for f in sorted(loaded)))
    validate(part, schemas)
    if part.sealing.opened:  # nothing opened may reach the cache (kehu.check._opened_sealed)
        return None
    unopened = Tally(withheld=old.withheld(leaving=set(loaded) | removed) + part.sealing.withheld).note()

    read = {relative: None for relative in loaded} | {record.file: record for record in part.records}
    whole = Repository(root=root, today=settings.today, files=len(files), records=old.records(read, removed))
    whole.policy, whole.schemas, whole.calendar = part.policy, part.schemas, part.calendar
    part._ids["customer"] = whole.ids("customer")
    part._ids["appeal"] = whole.ids("appeal")  # an owner change may cite another customer's appeal
    findings = apply_rules(part, PER_CUSTOMER, settings)
    across = apply_rules(whole, ACROSS, settings)
    if part.calendar.notes() or identity_note() or any(f.file not in loaded for f in findings) or any(f.file is None for f in across):
        return None

    kept = [f for f in snapshot.findings if f.file not in loaded and f.file not in removed]
    new = old.updated(files, states, read, removed, schemas.references)
    notes = [unopened] if unopened else []
    fresh = cache.Snapshot(snapshot.key, state, len(files), len(whole.records), kept + findings, across, notes,
                           new.columns)
    result = CheckResult(sorted(fresh.findings + across, key=Finding.sort_key), fresh.files, fresh.records, None, notes,
                         root, len(loaded))
    return result, fresh


def _table(snapshot: cache.Snapshot) -> Table | None:
    columns = snapshot.load_table()
    if columns is None or not all(Tally.is_note(note) for note in snapshot.notes):  # the calendar's: read all again
        return None
    try:
        return Table(columns)
    except (KeyError, TypeError, ValueError):
        return None


def _changes(old: Table, files: list[str], states: list[str]) -> tuple[list[str], set[str]]:
    """Files added or changed since the snapshot, and files removed."""
    if files == old.files:
        return [f for f, now, then in zip(files, states, old.states) if now != then], set()
    before = dict(zip(old.files, old.states))
    current = set(files)
    return [f for f, now in zip(files, states) if before.get(f) != now], {f for f in old.files if f not in current}


def _touched_customers(old: Table, snapshot: cache.Snapshot, loaded: dict, removed: set[str], references) -> set[str]:
    """The customers whose findings may change: those the changed files belonged to before
    and belong to now, and -- when a customer id appeared or disappeared -- those of every
    unknown-reference finding, whose nearest-id hint may change."""
    touched: set[str] = set()
    for relative in (*loaded, *removed):
        index = old.at(relative)
        if index is not None:
            touched.update(old.customers(index))
    for record, _ in loaded.values():
        if record is not None:
            touched.update(customers_of(record, references))
    customer_files = old.customer_files()
    ids_now = {record_id for relative, record_id in customer_files.items()
               if relative not in loaded and relative not in removed} | {
        record.id for record, _ in loaded.values() if record is not None and record.kind == "customer" and record.id}
    if ids_now != set(customer_files.values()):
        for finding in snapshot.findings:
            index = old.at(finding.file) if finding.code == NAMES_NEAREST_ID and finding.file else None
            if index is not None:
                touched.update(old.customers(index))
    return touched


def _file(record: Record) -> str:
    return record.file


def _always_read(relative: str) -> bool:
    return relative.startswith(ALWAYS_READ_PREFIXES) and kind_of_location(relative) in ALWAYS_READ
