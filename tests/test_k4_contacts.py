"""K405-K408: the after-sales 回访 schedule, the promised next contact, the leadership's visit to
A customers, the new owner's contact after a hand-over."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import TODAY, only
from test_k4_followup import customer, days_ago, visit


def completed(ago: int) -> str:
    return f"milestones:\n  completed: {days_ago(ago)}\n"


def k(repo, code, record="C2026-0002"):
    return [f for f in only(repo.run(code), code) if f["record"] == record]


# --- K405 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("contact_after,fires", [(None, True), (6, True), (7, False), (14, False), (15, True)])
def test_k405_one_week_window(repo, contact_after, fires):
    customer(repo, stage="保修", extra=completed(20))  # the 1-week slot: days 7..14 after completion
    if contact_after is not None:
        visit(repo, 10, 20 - contact_after, type="回访")
    found = k(repo, "K405")
    assert bool(found) == fires
    if fires:
        assert found[0]["line"] == 15 and "1 周回访" in found[0]["message"]


def test_k405_not_due_while_the_window_is_open(repo):
    customer(repo, stage="保修", extra=completed(14))  # day 14 is the window's last day
    assert not k(repo, "K405")
    customer(repo, id="C2026-0003", stage="保修", extra=completed(15))
    assert [f["record"] for f in only(repo.run("K405"), "K405")] == ["C2026-0003"]


def test_k405_customer_service_counts_a_designer_does_not(repo):
    customer(repo, stage="保修", extra=completed(40))
    visit(repo, 10, 32, staff="zhouhui", type="满意度调查")  # 客服专员, day 8
    visit(repo, 11, 8, staff="chenjing")  # the designer, day 32: not a contact the rule counts
    [f] = k(repo, "K405")
    assert "1 个月回访" in f["message"]


def test_k405_each_missed_slot_and_one_contact_fills_one_slot(repo):
    repo.write("records/policy.yaml", "aftersales_schedule_days: [7, 10]\naftersales_window_days: 7\n")
    customer(repo, stage="保修", extra=completed(30))
    visit(repo, 10, 20, type="回访")  # day 10: in both windows, fills the earliest (day 7)
    [f] = k(repo, "K405")
    assert "10 天回访" in f["message"]
    visit(repo, 11, 19, type="回访")  # day 11 fills the second
    assert not k(repo, "K405")


def test_k405_full_schedule_is_quiet(repo):
    customer(repo, stage="保修", extra=completed(400))
    for n, day in enumerate((7, 31, 97, 365)):
        visit(repo, 10 + n, 400 - day, staff="zhouhui" if n % 2 else "liuyang", type="回访")
    assert not k(repo, "K405")
    assert len(only(repo.run("K405"), "K405")) == 0


# --- K406 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("promised,later,fires", [(1, None, True), (0, None, False), (-2, None, False),
                                                  (5, 5, False), (5, 3, False), (5, 6, True)])
def test_k406_next_contact(repo, promised, later, fires):
    customer(repo)
    visit(repo, 10, 9, extra=f"next_contact: {days_ago(promised)}\n")
    if later is not None:
        visit(repo, 11, later, staff="chenjing")  # any visit on or after the date keeps the promise
    found = [f for f in only(repo.run("K406"), "K406") if f["file"].endswith("V2026-000010.yaml")]
    assert bool(found) == fires
    if fires:
        assert found[0]["line"] == 7 and f"约定 {days_ago(promised)} 再联系" in found[0]["message"]


def test_k406_pool_and_lost_customers_are_exempt(repo):
    customer(repo, owner="pool", extra="owner_history:\n  - {owner: pool, from: 2026-10-01, by: sunmin}\n")
    customer(repo, id="C2026-0003", stage="流失")
    visit(repo, 10, 30, extra=f"next_contact: {days_ago(20)}\n")
    visit(repo, 11, 30, customer="C2026-0003", extra=f"next_contact: {days_ago(20)}\n")
    assert not only(repo.run("K406"), "K406")


# --- K407 ----------------------------------------------------------------------------------

def october(day: int) -> int:
    return (TODAY - TODAY.replace(month=10, day=day)).days


@pytest.mark.parametrize("staff,day,fires", [(None, 0, True), ("sunmin", 1, False), ("sunmin", 31, False),
                                             ("liuyang", 15, True), ("sunmin", 0, True)])
def test_k407_leadership_visit_last_month(repo, staff, day, fires):
    customer(repo, grade="A")
    visit(repo, 10, october(20))  # the owner's own visit does not count
    if staff:
        ago = october(day) if day else (TODAY - TODAY.replace(day=2)).days  # day 0: November, not October
        visit(repo, 11, ago, staff=staff, type="上门")
    found = k(repo, "K407")
    assert bool(found) == fires
    if fires:
        assert found[0]["line"] == 9 and "2026 年 10 月" in found[0]["message"]


def test_k407_only_grade_a_whole_month_customers(repo):
    repo.staff("zhaogang", "赵刚", "总经理", "总经理办公室")
    customer(repo, grade="B")
    customer(repo, id="C2026-0003", grade="A", registered="2026-10-02 09:00:00")
    customer(repo, id="C2026-0004", grade="A", stage="保修")
    customer(repo, id="C2026-0005", grade="A", owner="wangli",
             extra="owner_history:\n  - {owner: pool, from: 2026-09-01, by: sunmin}\n"
                   "  - {owner: wangli, from: 2026-10-10, by: sunmin}\n")
    customer(repo, id="C2026-0006", grade="A")
    visit(repo, 10, october(3), customer="C2026-0006", staff="zhaogang")
    assert not only(repo.run("K407"), "K407")


def test_k407_leadership_roles_from_policy(repo):
    repo.write("records/policy.yaml", "leadership_roles: [总经理]\n")
    customer(repo, grade="A")
    visit(repo, 10, october(3), staff="sunmin")
    assert k(repo, "K407")


# --- K408 ----------------------------------------------------------------------------------

def handed_over(repo, moved: int, left: int = 12, active=False):
    repo.staff("xulei", "徐磊", "客户经理", active=active, extra=f"left: {days_ago(left)}\n")
    entry = f"{{owner: wangli, from: {days_ago(moved)}, by: sunmin, reason: 原客户经理离职}}"
    customer(repo, owner="wangli", extra=f"owner_history:\n  - {entry}\n")
    path = repo.root / "records/customers/2026/C2026-0002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("registered_by: wangli", "registered_by: xulei"),
                    encoding="utf-8")


@pytest.mark.parametrize("contact_after,fires,late", [(None, True, False), (0, False, False), (7, False, False),
                                                      (8, True, True)])
def test_k408_new_owner_contacts_within_days(repo, contact_after, fires, late):
    handed_over(repo, moved=12)
    visit(repo, 9, 14, staff="xulei")  # the leaver's own calls before the hand-over do not count
    if contact_after is not None:
        visit(repo, 10, 12 - contact_after, staff="wangli")
    found = k(repo, "K408")
    assert bool(found) == fires
    if fires:
        assert found[0]["line"] == 15  # the owner_history entry
        assert ("晚了 1 天" in found[0]["message"]) == late
        assert "xulei 离职后" in found[0]["message"]


def test_k408_not_yet_due_and_not_a_departure(repo):
    handed_over(repo, moved=7)
    assert not k(repo, "K408")
    repo.staff("xulei", "徐磊", "客户经理", active=True)
    repo.write("records/customers/2026/C2026-0002.yaml",
               (repo.root / "records/customers/2026/C2026-0002.yaml").read_text(encoding="utf-8")
               .replace(days_ago(7), days_ago(30)))
    assert not k(repo, "K408")  # xulei is still here: an ordinary reassignment


@pytest.mark.parametrize("moved,fires", [(12 + 30, True), (12 + 31, False)])
def test_k408_hand_over_during_the_notice_period(repo, moved, fires):
    handed_over(repo, moved=moved)
    assert bool(k(repo, "K408")) == fires


def test_k408_days_from_policy(repo):
    repo.write("records/policy.yaml", "handover_contact_days: 14\n")
    handed_over(repo, moved=12)
    assert not k(repo, "K408")
    assert TODAY - timedelta(days=12) + timedelta(days=14) > TODAY
