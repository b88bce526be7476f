"""`kehu review`: who must approve a change, and which changes nobody may make.

Read the change (gitchange), settle who the author and the approvers are against the staff
files at the merge base, then run the review rules (K8xx in the registry) over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kehu.facts import POOL, as_dict, as_list
from kehu.findings import Finding, Hit, Text
from kehu.load import Record
from kehu.load.locate import locate_in_text
from kehu.review.gitchange import Change, GitChange, ReviewError, read_change
from kehu.rules import RULES
from kehu.engine import Selection, run_rules, tally, verdict
from kehu.validate import Schemas, schema_dir

__all__ = ["Review", "ReviewError", "ReviewResult", "run_review"]


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

    def owner_of(self, change: Change) -> str | None:
        """Whose customer a change touches: the owner at the merge base, or, for a customer
        added by the change, the owner it is given."""
        record = change.record
        if record is None and change.before is not None:
            record = change.before.record
        if record is None:
            return None
        if record.kind in ("visit", "complaint"):
            record = self.customer(record.data.get("customer"))
            if record is None and change.before and change.before.record:
                record = self.customer(change.before.record.data.get("customer"))
        elif record.kind == "customer":
            record = self.customer(record.id) or record
        else:
            return None
        owner = record.data.get("owner") if record else None
        return owner if isinstance(owner, str) else None

    def customer(self, customer_id) -> Record | None:
        """A customer as the target branch has it (its owner decides who approves)."""
        if not isinstance(customer_id, str) or not customer_id.startswith("C"):
            return None
        return self.git.customer_at_base(customer_id)

    def path_is_admin(self, change: Change) -> bool:
        return is_admin_path(change.path) or bool(change.old_path and is_admin_path(change.old_path))

    def required_approvers(self, change: Change) -> list[str]:
        if self.path_is_admin(change):
            return [] if self.role(self.author) in self.policy["admin_roles"] else self.admins
        owner = self.owner_of(change)
        if owner is None or owner == self.author or self.author in self.assigners:
            return []
        people = ([owner] if owner != POOL and owner in self.staff else []) + self.assigners
        return list(dict.fromkeys(people))


def is_admin_path(path: str) -> bool:
    return path == "records/policy.yaml" or path.startswith(("schemas/", "records/staff/"))


@dataclass
class ReviewResult:
    review: Review
    findings: list[Finding]
    root: Path | None = None

    @property
    def errors(self) -> int:
        return sum(f.blocks for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" and f.open for f in self.findings)

    def summary(self) -> dict:
        return {"files": len(self.review.changes), "author": self.review.author, "approved_by": sorted(self.review.approvals),
                **tally(self.findings)}

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
            if change.old_path:
                item["renamed_from"] = change.old_path
            if change.binary or (record is None and change.kind != "deleted"):
                item["note"] = Text("不是可读的记录文件", "not a readable record file").get(lang)
            changes.append(item)
        return {"changes": changes, "findings": [f.as_dict(lang) for f in self.findings], "summary": self.summary()}


def _match_staff(staff: dict[str, Record], who: str) -> str | None:
    who = who.strip()
    low = who.lower()
    for staff_id, record in staff.items():
        git_info = as_dict(record.data.get("git"))
        emails = [e.lower() for e in as_list(git_info.get("emails")) if isinstance(e, str)]
        handle = git_info.get("handle")
        if low == staff_id or low in emails or (isinstance(handle, str) and handle.lower() == low.lstrip("@")):
            return staff_id
    return None


def run_review(root: Path, base: str, head: str | None, today: date, author: str | None = None,
               approved_by: tuple[str, ...] = (), select: tuple[str, ...] = (),
               ignore: tuple[str, ...] = ()) -> ReviewResult:
    change = read_change(root, base, head)
    schemas = Schemas(schema_dir(root))
    staff = {r.id: r for r in change.records_at_base("staff") if r.id}
    policy_record = change.record_at_base("records/policy.yaml")
    policy = {**schemas.policy_defaults()}
    if policy_record is not None and not list(schemas.check("policy", policy_record.data)):
        policy.update(policy_record.data)
    label = author or f"{change.head.author.name} <{change.head.author.email}>"
    author_id = _match_staff(staff, author) if author else (
        _match_staff(staff, change.head.author.email or "") or _match_staff(staff, change.head.author.name or ""))
    approvals = {a for a in (_match_staff(staff, who) for who in approved_by) if a}
    review = Review(change, today, policy, staff, author_id, label, approvals)

    findings: list[Finding] = []
    if author_id is None:
        findings.append(Finding("K801", "error", None, None, None, None, Text(
            f"提交作者 {label} 不在员工名单里（staff 文件的 git.emails / git.handle），无法确认权限：按无权限处理",
            f"the author {label} is not on the staff list (git.emails / git.handle in staff files): "
            "treated as having no rights")))
    selection = Selection(select, ignore, policy.get("rules"))
    findings += run_rules(REVIEW_RULES, review, selection, lambda hit: _place(review, hit))
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
