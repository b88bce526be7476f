"""`kehu review`: who must approve a change, and which changes nobody may make.

Read the change (gitchange); settle who the author is, when the change arrived and who
approved, against the staff files at the merge base; then run the review rules (K8xx in the
registry) through the same engine as `kehu check`.

Everything that judges is read at the merge base: schemas, policy, staff and the current
owners. What the branch does to those files is a change to review like any other, never
the rules it is judged by. Identity and time come from the code host (`--author`,
`--received-at`); commit metadata, which anyone can set, is only a fallback (K807).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from kehu import people
from kehu.domain import RECLAIM_EXEMPT_STAGES
from kehu.engine import Outcome, Selection, run_rules, tally, verdict
from kehu.facts import POOL, as_dict, as_list
from kehu.findings import Finding, Hit, Text
from kehu.load import RECORDS_DIR, Record, layout_kind
from kehu.load.locate import locate_in_text
from kehu.review.gitchange import Change, GitChange, ReviewError, read_change
from kehu.review.records import introduced, search
from kehu.rules import RULES
from kehu.rules.k8_review import added_phone_digits
from kehu.validate import SchemaError, Schemas, schema_dir

__all__ = ["Review", "ReviewError", "ReviewResult", "run_review"]

RECORD_KINDS = ("customer", "visit", "complaint", "disposal", "appeal")  # judged by K801-K806
CACHE_FOLDER = ".kehu-cache"


@dataclass
class Review:
    """Everything a review rule looks at."""

    git: GitChange
    today: date
    policy: dict
    staff: dict[str, Record]  # at the merge base
    author: str | None  # a staff id, None if the author is not on the staff list
    author_label: str
    approvals: set[str] = field(default_factory=set)  # staff ids
    received_at: datetime | None = None  # when the code host received the change (naive Shanghai time)
    untrusted: tuple[str, ...] = ()  # what came from commit metadata: "author", "time"
    notes: list[Text] = field(default_factory=list)  # said on stderr: unknown --author / --approved-by
    grades: tuple[str, ...] = ("A", "B", "C", "D")  # most important first, from the base's schemas
    schemas: object = None  # kehu.validate.Schemas at the merge base

    @property
    def changes(self) -> list[Change]:
        return self.git.changes

    def role(self, staff_id) -> str | None:
        member = self.staff.get(staff_id)
        return member.data.get("role") if member else None

    def with_role(self, roles) -> list[str]:
        return sorted(i for i, r in self.staff.items() if r.data.get("role") in roles and r.data.get("active") is not False)

    @property
    def assigners(self) -> list[str]:
        return self.with_role(self.policy["assigner_roles"])

    @property
    def admins(self) -> list[str]:
        return self.with_role(self.policy["admin_roles"])

    def who(self, staff_ids) -> Text:
        """Staff as people recognise them: 刘洋（liuyang，@liuyang）."""
        parts_zh, parts_en = [], []
        for staff_id in staff_ids:
            member = self.staff.get(staff_id)
            handle = as_dict(member.data.get("git")).get("handle") if member else None
            name = member.data.get("name", staff_id) if member else staff_id
            parts_zh.append(f"{name}（{staff_id}" + (f"，@{handle}" if handle else "") + "）")
            parts_en.append(f"{name} ({staff_id}" + (f", @{handle}" if handle else "") + ")")
        return Text("、".join(parts_zh) or "（无人）", ", ".join(parts_en) or "(nobody)")

    # --- what a changed path is ---------------------------------------------------------

    @staticmethod
    def record_kind(change: Change) -> str | None:
        """customer/visit/complaint/disposal/appeal for a record file at its layout path, else None."""
        kind = layout_kind(change.path)
        return kind if kind in RECORD_KINDS and not (change.symlink or change.submodule) else None

    def path_is_admin(self, change: Change) -> bool:
        """Every tracked path but a record at its layout path: policy, schemas, staff, site,
        CI files, and anything else."""
        return self.record_kind(change) is None

    @staticmethod
    def forbidden(change: Change) -> Text | None:
        """Why no approval may let this path in (K808), or None."""
        parts = change.path.split("/")
        if change.kind == "deleted" and not (change.symlink or change.submodule):
            return None  # removing a stray file is a cleanup (an admin change)
        if change.symlink:
            return Text("符号链接（symlink）：kehu 从不跟随链接，仓库里不允许有", "a symlink: never allowed in the repository")
        if change.submodule:
            return Text("子模块（submodule）：不允许", "a submodule: not allowed")
        if CACHE_FOLDER in parts:
            return Text(f"{CACHE_FOLDER}/ 是本机缓存，不能提交（CI 从不信任它）",
                        f"{CACHE_FOLDER}/ is a local cache and must never be committed")
        if layout_kind(change.path) is not None and change.after is not None and change.after.record is None:
            return Text(f"记录文件读不出来（{change.after.problem}）：无法判断谁该批准",
                        f"a record file that cannot be read ({change.after.problem}): nobody can judge it")
        if parts[0] == RECORDS_DIR and layout_kind(change.path) is None:
            return Text("records/ 下只能放按目录规则命名的记录文件（隐藏文件、.bak、别的扩展名或放错目录都不行）",
                        "only record files at their layout path belong under records/ "
                        "(no hidden files, .bak, other extensions or wrong folders)")
        return None

    # --- whose approval a change needs -----------------------------------------------------

    def customer(self, customer_id) -> Record | None:
        """A customer as the target branch has it (its owner decides who approves)."""
        if not isinstance(customer_id, str) or not customer_id.startswith("C"):
            return None
        return self.git.customer_at_base(customer_id)

    def owners_of(self, change: Change) -> list[str]:
        """Whose customers a record change touches: the owners at the merge base (for a
        customer the change adds, the owner it is given). A visit, complaint or appeal moved from
        one customer to another touches both."""
        owners = []
        for version in (change.before, change.after):
            record = version.record if version else None
            if record is None or self.record_kind(change) is None:
                continue
            if record.kind in ("visit", "complaint", "appeal"):
                customer = self.customer(record.data.get("customer"))
            elif record.kind == "customer":
                customer = self.customer(record.id) or record
            else:
                continue
            owner = customer.data.get("owner") if customer else None
            if isinstance(owner, str) and owner not in owners:
                owners.append(owner)
        return owners

    def owner_of(self, change: Change) -> str | None:
        owners = self.owners_of(change)
        return owners[-1] if owners else None

    def approval_groups(self, change: Change) -> list[tuple[str, list[str]]]:
        """What this change needs, as (code, people): one of the people in each group
        must approve, unless the author is one of them."""
        groups: list[tuple[str, list[str]]] = []
        if self.path_is_admin(change):
            groups.append(("K805", self.admins))
            return groups
        for owner in self.owners_of(change):
            people = ([owner] if owner != POOL and owner in self.staff else []) + self.assigners
            groups.append(("K801", list(dict.fromkeys(people))))
        for signer in self.new_waivers(change):
            groups.append(("K805", [signer]))
        if self.imported_early(change):
            groups.append(("K804", self.admins))
        if self.clock_changes(change):
            groups.append(("K810", self.assigners))
        return groups

    def unmet(self, change: Change) -> list[tuple[str, list[str]]]:
        return [(code, people) for code, people in self.approval_groups(change)
                if self.author not in people and not self.approvals & set(people)]

    def required_approvers(self, change: Change) -> list[str]:
        """Everyone who could give a missing approval (JSON `required_approvers`)."""
        people = [person for _, group in self.unmet(change) for person in group]
        return list(dict.fromkeys(people))

    def new_waivers(self, change: Change) -> list[str]:
        """The signers of exceptions (豁免) this change adds or alters: each must approve."""
        after = change.after.record if change.after else None
        if after is None or change.kind == "deleted":
            return []
        before = change.before.record if change.before else None
        old = [as_dict(e) for e in as_list(before.data.get("exceptions"))] if before else []
        signers = [as_dict(e).get("by") for e in as_list(after.data.get("exceptions")) if as_dict(e) not in old]
        return list(dict.fromkeys(str(s) for s in signers if s is not None))

    def clock_changes(self, change: Change) -> list[Text]:
        """What a customer change does to the 公海 clock that only an assigner may do: a
        higher grade (a longer reclaim limit), `locked` set, a move into a stage the clock
        skips (施工–保修, 流失)."""
        after = change.after.record if change.after and change.kind != "deleted" else None
        if after is None or after.kind != "customer" or self.record_kind(change) != "customer":
            return []
        before = self.customer(after.id)
        old, new = (before.data if before else {}), after.data
        found = []
        rank = {grade: index for index, grade in enumerate(self.grades)}
        if before and rank.get(new.get("grade"), 99) < rank.get(old.get("grade"), 99):
            found.append(Text(f"客户分级从 {old.get('grade')} 提到 {new.get('grade')}（公海期限随之变长）",
                              f"grade raised from {old.get('grade')} to {new.get('grade')} (a longer reclaim limit)"))
        if new.get("locked") is True and old.get("locked") is not True:
            found.append(Text("设了 locked: true（锁定后不进公海）", "locked: true set (a locked customer is never reclaimed)"))
        if new.get("stage") in RECLAIM_EXEMPT_STAGES and new.get("stage") != old.get("stage"):
            found.append(Text(f"阶段改成了 {new.get('stage')}（这个阶段不计公海期限）",
                              f"stage moved to {new.get('stage')} (the reclaim clock does not run there)"))
        return found

    def imported_early(self, change: Change) -> bool:
        """An imported customer (`imported:`) the change adds: its registered_at may be older
        than the change, with an admin's approval (K804)."""
        after = change.after.record if change.after else None
        return (change.kind == "added" and after is not None and after.kind == "customer"
                and isinstance(after.data.get("imported"), dict) and self.customer(after.id) is None)


@dataclass
class ReviewResult(Outcome):
    review: Review
    findings: list[Finding]
    root: Path | None = None

    def summary(self) -> dict:
        review = self.review
        return {"files": len(review.changes), "author": review.author, "approved_by": sorted(review.approvals),
                "trusted": not review.untrusted, **tally(self.findings)}

    def headline(self, lang: str) -> str:
        review = self.review
        author = review.author or review.author_label
        approvals = ", ".join(sorted(review.approvals)) or "-"
        if lang == "en":
            return (f"reviewed {len(review.changes)} changed files by {author} (approved by {approvals}): "
                    f"{verdict(self.findings, lang)}")
        return f"审阅了 {len(review.changes)} 个改动文件，作者 {author}，已批准：{approvals}；{verdict(self.findings, lang)}"

    def as_dict(self, lang: str) -> dict:
        review = self.review
        changes = []
        for change in review.changes:
            record = change.record or (change.before.record if change.before else None)
            item = {"file": change.path, "record": record.id if record else None, "kind": change.kind,
                    "owner": review.owner_of(change), "required_approvers": review.required_approvers(change)}
            if change.binary or change.symlink or (record is None and change.kind != "deleted"):
                item["note"] = Text("不是可读的记录文件", "not a readable record file").get(lang)
            changes.append(item)
        return {"changes": changes, "findings": [f.as_dict(lang) for f in self.findings], "summary": self.summary()}


def schemas_at_base(change: GitChange) -> Schemas:
    """The merge base's schemas/; if it has none, the ones kehu was installed with (never
    the branch's)."""
    texts = {path.rsplit("/", 1)[1]: change.blob(change.base, path) for path in change.files_at_base("schemas")
             if path.count("/") == 1 and path.endswith(".schema.json")}
    if any(raw is None for raw in texts.values()):
        raise SchemaError("schemas/ at the merge base: a schema is unreadable or too large")
    if "common.schema.json" in texts:
        return Schemas(f"{change.base.hexsha[:12]}:schemas", texts)
    return Schemas(schema_dir(None))


def policy_at_base(change: GitChange, schemas: Schemas) -> dict:
    policy = {**schemas.policy_defaults()}
    record = change.record_at_base(f"{RECORDS_DIR}/policy.yaml")
    if record is not None and not list(schemas.check("policy", record.data)):
        policy.update(record.data)
    return policy


def run_review(root: Path, base: str, head: str | None, today: date, author: str | None = None,
               approved_by: tuple[str, ...] = (), select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
               received_at: datetime | None = None) -> ReviewResult:
    change = read_change(root, base, head)
    with ThreadPoolExecutor(max_workers=3) as pool:
        # git's searches of the tree (the touched customers' files, K806's phone numbers) are
        # the slow part: start them now, beside reading and compiling the base's schemas
        # (separate git processes)
        searched = pool.submit(search, change)
        change.start_digit_search(added_phone_digits(change.changes), pool)
        return _judge(change, root, today, author, approved_by, select, ignore, received_at, pool, searched)


def _judge(change, root, today, author, approved_by, select, ignore, received_at, pool, searched) -> ReviewResult:
    schemas = schemas_at_base(change)
    policy = policy_at_base(change, schemas)
    staff = {r.id: r for r in change.records_at_base("staff") if r.id}
    untrusted, notes = (), []
    if author:
        label, author_id = author, people.resolve(staff, author)
        if author_id is None:
            notes.append(people.unknown(staff, author, "--author"))
    else:
        untrusted += ("author",)
        label = f"{change.head.author.name} <{change.head.author.email}>"
        author_id = people.resolve(staff, change.head.author.email or "", names=False)
    if received_at is None:
        untrusted += ("time",)
    approvals = set()
    for who in approved_by:
        approver = people.resolve(staff, who)
        if approver is None:
            notes.append(people.unknown(staff, who, "--approved-by"))
        else:
            approvals.add(approver)
    review = Review(change, today, policy, staff, author_id, label, approvals, received_at, untrusted, notes,
                    tuple(schemas.vocabulary("grade")), schemas)
    selection = Selection(select, ignore, policy.get("rules"))
    # the record rules wait mostly on git: let them run beside the K8 rules (they share no git
    # process: K8 reads through GitPython's cat-file, they through their own)
    records = pool.submit(lambda: introduced(review, schemas, select, ignore, searched.result()))
    findings = run_rules(REVIEW_RULES, review, selection, lambda hit: _place(review, hit))
    findings += records.result()
    findings.sort(key=Finding.sort_key)
    return ReviewResult(review, findings, root)


REVIEW_RULES = {code: rule for code, rule in RULES.items() if rule.stage == "review"}


def _place(review: Review, hit: Hit) -> tuple:
    """A review finding's line is found in the file as the branch has it."""
    line, column = hit.line, hit.column
    if line is None and hit.file and hit.path:
        raw = review.git.blob(review.git.head, hit.file)
        if raw is not None:
            line, column, _ = locate_in_text(raw, hit.path)
    return hit.file, line, column, hit.record_id
