"""The record rules (`kehu check`'s) on what a branch touches, before and after.

A pull request that touches one customer is judged on that customer: its file and every
visit and complaint that names it, as the merge base and the head have them. Both sides are
judged by the merge base's schemas, policy and staff; findings the base already had are
not the branch's doing and are dropped. The rules that compare across the whole repository
(K202, K301, K302) are left to `kehu check` on main; K806 guards collisions in review.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import git

from kehu.engine import mark_new
from kehu.findings import Finding
from kehu.incremental import PER_CUSTOMER
from kehu.load import RECORDS_DIR, layout_kind, load_repository
from kehu.pipeline import Settings, apply_rules
from kehu.validate import Schemas, validate

CUSTOMER_ID = re.compile(r"^C[0-9]{4}-[0-9]{4,}$")


def search(change) -> tuple[set[str], list[str]]:
    """The customers a branch touches and the head's visit/complaint files naming them: the
    slow part (a search of every such file), started as soon as the change is read."""
    touched = touched_customers(change.changes)
    return touched, (_naming(change, change.head, touched) if touched else [])


def introduced(review, schemas: Schemas, select=(), ignore=(), searched=None) -> list[Finding]:
    touched, at_head = searched or search(review.git)
    if not touched:
        return []
    change = review.git
    settings = Settings(Path("."), review.today, tuple(select), tuple(ignore))
    changed = {c.path for c in review.changes}
    # the base has the head's files that the branch did not change, and the changed ones
    # whose old version named a touched customer: no second search needed
    at_base = [f for f in at_head if f not in changed] + [
        c.path for c in review.changes if c.before and c.before.record is not None
        and c.before.record.kind in ("visit", "complaint", "appeal") and c.before.record.data.get("customer") in touched]
    with tempfile.TemporaryDirectory(prefix="kehu-review-") as folder:
        sides = {}
        for name, commit, naming in (("base", change.base, at_base), ("head", change.head, at_head)):
            root = Path(folder) / name
            files = _write_side(change, commit, touched, naming, root)
            repo = load_repository(root, review.today, files)
            validate(repo, schemas)
            repo._ids["customer"] = {**dict.fromkeys(_customer_ids(change, commit)), **repo.ids("customer")}
            sides[name] = apply_rules(repo, PER_CUSTOMER, settings)
    return [f for f in mark_new(sides["head"], sides["base"]) if f.new]


def touched_customers(changes) -> set[str]:
    """The customers whose own file, or one of whose visits or complaints, the branch changes."""
    touched = set()
    for change in changes:
        if change.symlink or change.submodule or layout_kind(change.path) not in ("customer", "visit", "complaint", "appeal"):
            continue
        for version in (change.before, change.after):
            record = version.record if version else None
            if record is None:
                continue
            customer = record.id if record.kind == "customer" else record.data.get("customer")
            if isinstance(customer, str) and CUSTOMER_ID.match(customer):
                touched.add(customer)
    return touched


def _write_side(change, commit: git.Commit, touched: set[str], naming: list[str], root: Path) -> list[str]:
    """The touched customers' files at `commit`, with staff and policy from the merge base."""
    files = [f"{RECORDS_DIR}/customers/{c[1:5]}/{c}.yaml" for c in sorted(touched)] + naming
    judging = [f for f in change.files_at_base(f"{RECORDS_DIR}/staff") if f.endswith(".yaml")]
    judging.append(f"{RECORDS_DIR}/policy.yaml")
    names = {f"{commit.hexsha}:{change._git_path(f)}": f for f in sorted(set(files))}
    names |= {f"{change.base.hexsha}:{change._git_path(f)}": f for f in judging}
    written = []
    for name, raw in change.blobs(list(names)).items():
        if raw is not None:
            _put(root, names[name], raw)
            written.append(names[name])
    (root / RECORDS_DIR).mkdir(parents=True, exist_ok=True)
    return sorted(written)


def _naming(change, commit: git.Commit, touched: set[str]) -> list[str]:
    """Visit and complaint files at `commit` that mention one of the customers' ids (a fixed
    string search is several times faster than a pattern; a file that only mentions the id
    elsewhere adds a record whose findings are the same at both sides)."""
    patterns = [part for customer in sorted(touched) for part in ("-e", customer)]
    scope = [change._git_path(f"{RECORDS_DIR}/{folder}") for folder in ("visits", "complaints", "appeals")]
    try:
        output = change.repo.git.execute(["git", "grep", "-l", "-z", "-F", *patterns, commit.hexsha, "--", *scope])
    except git.GitCommandError:  # git grep exits 1 when nothing matches
        return []
    return [change._relative(name.split(":", 1)[1]) for name in filter(None, output.split("\0"))]


def _customer_ids(change, commit: git.Commit) -> list[str]:
    """Every customer id the commit has a file for (K201 must know the ones not loaded)."""
    listing = change.repo.git.execute(["git", "ls-tree", "-r", "--name-only", "-z", commit.hexsha, "--",
                                       change._git_path(f"{RECORDS_DIR}/customers")])
    return [name.rsplit("/", 1)[-1][:-5] for name in filter(None, listing.split("\0")) if name.endswith(".yaml")]


def _put(root: Path, relative: str, raw: bytes) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)

