"""The 公海 pool: who is reclaimable, and moving a customer into or out of the pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kehu.domain import POOL, joined, staff_name
from kehu.edit import EditRefused, RecordText, locked
from kehu.facts import is_assigner, pool_releases, reclaim_clock
from kehu.findings import Text
from kehu.load import Record, Repository
from kehu.people import Unknown, identify


@dataclass(frozen=True)
class PoolRow:
    id: str
    name: str
    owner: str
    owner_name: str
    grade: str
    stage: str
    last_action: date | None
    since: date
    limit: int
    days_left: int  # negative: overdue

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "owner": self.owner, "owner_name": self.owner_name,
                "grade": self.grade, "stage": self.stage,
                "last_action": self.last_action.isoformat() if self.last_action else None,
                "since": self.since.isoformat(), "limit_days": self.limit, "days_left": self.days_left}


def pool_rows(repo: Repository) -> list[PoolRow]:
    """Reclaimable and soon-reclaimable customers, most urgent first."""
    warning = repo.policy["reclaim_warning_days"]
    rows = []
    for clock in reclaim_clock(repo).values():
        if clock.days_left > warning:
            continue
        data = clock.customer.data
        owner = data.get("owner")
        rows.append(PoolRow(clock.customer.id, data.get("name", ""), owner, staff_name(repo, owner),
                            data.get("grade", ""), data.get("stage", ""), clock.last_action, clock.since,
                            clock.limit, clock.days_left))
    rows.sort(key=lambda r: (r.days_left, r.id))
    return rows


@dataclass(frozen=True)
class PooledRow:
    """A customer already in the pool, for the director to assign (`kehu pool --assign`)."""

    id: str
    name: str
    grade: str
    stage: str
    since: date | None  # when it went into the pool
    released_from: str | None  # whose customer it was
    released_by: str | None  # who released it

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "in_pool": True, "grade": self.grade, "stage": self.stage,
                "in_pool_since": self.since.isoformat() if self.since else None,
                "released_from": self.released_from, "released_by": self.released_by}


def pooled_rows(repo: Repository) -> list[PooledRow]:
    """The customers in the pool now, longest there first."""
    rows = []
    for customer in repo.of("customer"):
        data = customer.data
        if data.get("owner") != POOL:
            continue
        index, holder, since = next(reversed(list(pool_releases(customer))), (None, None, None))
        by = (data.get("owner_history") or [])[index].get("by") if index is not None else None
        rows.append(PooledRow(customer.id, data.get("name", ""), data.get("grade", ""), data.get("stage", ""),
                              since, holder if index is not None else None, by))
    rows.sort(key=lambda r: (r.since or date.min, r.id))
    return rows


def move(repo: Repository, customer_id: str, to: str, by: str, reason: str | None) -> Text:
    """Release to the pool (to == "pool") or assign to a person: one owner_history entry and
    the owner line; every other byte of the file stays. `by` and `to` may be typed as staff
    id, email, handle or name (kehu.people). Raises EditRefused with the reason."""
    customers = repo.ids("customer")
    staff = repo.ids("staff")
    customer = customers.get(customer_id)
    if customer is None:
        raise EditRefused(Text(f"没有客户 {customer_id}", f"no customer {customer_id}"))
    try:  # typed as id, email, handle or name; the records get the id
        by = identify(staff, by, "--by", active=True)
        to = to if to == POOL else identify(staff, to, "--to", active=True)
    except Unknown as unknown:
        raise EditRefused(unknown.message) from None
    if not is_assigner(repo, by):
        roles = joined(repo.policy["assigner_roles"])
        role = staff[by].data.get("role")
        raise EditRefused(Text(f"{by} 的角色是{role}，无权分配客户（只有 {roles} 可以）",
                               f"{by} is a {role} and may not assign customers (only {roles})"))
    with locked(repo.path(customer)):
        # decide on the file as it is now: another edit may have landed since kehu loaded it
        text = RecordText(repo.path(customer))
        fresh = Record(customer.kind, customer.file, text.original.data)
        current = fresh.data.get("owner")
        if to == current:
            raise EditRefused(Text(f"{customer_id} 已经{'在公海' if to == POOL else f'归 {to}'}，没有改动",
                                   f"{customer_id} is already {'in the pool' if to == POOL else f'owned by {to}'}"))
        if to != POOL:
            _refuse_regrab(repo, fresh, to)
        entry = {"owner": to, "from": repo.today, "by": by}
        entry["reason"] = reason or ("收回公海" if to == POOL else "市场总监分配")
        text.set_scalar("owner", to)
        text.append_to_list("owner_history", entry)
        expected = dict(fresh.data)
        expected["owner"] = to
        expected["owner_history"] = list(fresh.data.get("owner_history") or []) + [{**entry, "from": repo.today.isoformat()}]
        expected.update(_resealed(repo, text, customer))
        text.save(expected)
    if to == POOL:
        return Text(f"{customer_id} 已从 {current} 名下收回公海（{customer.file}）",
                    f"{customer_id} released from {current} to the pool ({customer.file})")
    return Text(f"{customer_id} 已分配给 {to}（{customer.file}）", f"{customer_id} assigned to {to} ({customer.file})")


def _resealed(repo: Repository, text: RecordText, customer) -> dict:
    """Sealed values re-sealed to the readers the new owner brings (the old owner's key no
    longer opens them); needs a key (KEHU_AGE_IDENTITY) that opens them. {field: new value}."""
    from kehu.sealer import reseal_text
    from kehu.sealing import IdentityProblem, identities, in_force, is_sealed

    if not in_force(repo.policy) or not any(is_sealed(value) for value in text.data().values()):
        return {}
    try:
        keys = identities(required=True)
    except IdentityProblem as problem:
        raise EditRefused(Text(f"{customer.id} 有加密字段，换归属人须重新加密：{problem.message.zh}",
                               f"{customer.id} has sealed fields that must be re-sealed: {problem.message.en}")) from None
    return reseal_text(repo, text, customer.kind, customer.file, keys, everything=True)


def _refuse_regrab(repo: Repository, customer, to: str) -> None:
    """K304 before it happens: no giving a customer back to whom it was just taken from."""
    cooldown = repo.policy["reclaim_cooldown_days"]
    for _, person, released in pool_releases(customer):
        if person == to and released is not None and (repo.today - released).days < cooldown:
            raise EditRefused(Text(
                f"{released} 刚从 {to} 名下收回公海，{cooldown} 天冷却期内不能分回给同一人（K304）",
                f"taken from {to} into the pool on {released}: not back to the same person within {cooldown} days (K304)"))
