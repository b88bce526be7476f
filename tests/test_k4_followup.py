"""K401-K404: the 公海 clock, visits per grade, the 回访 after the first plan meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import TODAY, only


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def customer(repo, id="C2026-0002", grade="B", stage="咨询", owner="liuyang", extra="", registered="2026-06-01 09:00:00"):
    path = repo.customer(id=id, phone=f"137{id[-4:]}0000", owner=owner, registered_at=registered, extra=extra)
    text = path.read_text(encoding="utf-8").replace("grade: B", f"grade: {grade}").replace("stage: 咨询", f"stage: {stage}")
    path.write_text(text, encoding="utf-8")
    return path


def visit(repo, n, ago, customer="C2026-0002", staff="liuyang", type="电话", extra=""):
    at = f"{days_ago(ago)} 10:00:00"
    path = repo.visit(id=f"V{at[:4]}-{n:06d}", customer=customer, at=at, staff=staff, extra=extra)
    if type != "电话":
        path.write_text(path.read_text(encoding="utf-8").replace("type: 电话", f"type: {type}"), encoding="utf-8")


@pytest.mark.parametrize("ago,codes", [(52, set()), (53, {"K402"}), (59, {"K402"}), (60, {"K401"}), (61, {"K401"})])
def test_reclaim_boundaries(repo, ago, codes):
    customer(repo)
    visit(repo, 10, ago)
    found = [f for f in repo.run("K4") if f["record"] == "C2026-0002" and f["code"] in ("K401", "K402")]
    assert {f["code"] for f in found} == codes
    if ago == 61:
        assert "已 61 天无销售跟进，超出 60 天" in found[0]["message"] and "市场总监收回公海" in found[0]["message"]
        assert found[0]["line"] == 11  # the owner line
    if ago == 59:
        assert "还剩 1 天" in found[0]["message"]


def test_only_the_owners_sales_actions_keep_a_customer(repo):
    customer(repo)
    visit(repo, 10, 70)
    visit(repo, 11, 5, staff="chenjing")  # the designer's visit does not count
    visit(repo, 12, 3, type="满意度调查")  # a satisfaction survey is no sales action
    visit(repo, 13, 2, extra="counts_as_sales_action: false\n")
    [f] = [f for f in only(repo.run("K401"), "K401") if f["record"] == "C2026-0002"]
    assert "已 70 天" in f["message"]


def test_the_clock_starts_at_the_assignment(repo):
    customer(repo, owner="wangli", extra="owner_history:\n  - {owner: wangli, from: %s, by: sunmin}\n" % days_ago(20))
    visit(repo, 10, 90)
    assert not [f for f in repo.run("K401,K402") if f["record"] == "C2026-0002"]


@pytest.mark.parametrize("stage", ["施工", "验收", "结算", "保修", "流失"])
def test_exempt_stages(repo, stage):
    customer(repo, stage=stage)
    assert not [f for f in repo.run("K401") if f["record"] == "C2026-0002"]


def test_locked_and_pool_customers_are_exempt(repo):
    customer(repo, extra="locked: true\n")
    customer(repo, id="C2026-0003", owner="pool", extra="owner_history:\n  - {owner: pool, from: 2026-06-02, by: sunmin}\n")
    assert not [f for f in repo.run("K401") if f["record"] in ("C2026-0002", "C2026-0003")]


def test_reclaim_days_per_grade_from_policy(repo):
    repo.write("records/policy.yaml", "reclaim_after_days: {A: 90, B: 60, C: 45, D: 30}\n")
    customer(repo, grade="C")
    customer(repo, id="C2026-0003", grade="A")
    visit(repo, 10, 46)
    visit(repo, 11, 46, customer="C2026-0003")
    found = {f["record"]: f["code"] for f in repo.run("K401,K402") if f["record"] in ("C2026-0002", "C2026-0003")}
    assert found == {"C2026-0002": "K401"}


def test_k403_counts_last_full_month_by_grade(repo):
    customer(repo, grade="C")  # needs 2 in October 2026
    customer(repo, id="C2026-0003", grade="B")  # needs 1
    customer(repo, id="C2026-0004", grade="D")  # needs none
    visit(repo, 10, (TODAY - TODAY.replace(month=10, day=15)).days)
    visit(repo, 11, (TODAY - TODAY.replace(month=10, day=31)).days, customer="C2026-0003")
    visit(repo, 12, (TODAY - TODAY.replace(month=11, day=2)).days)  # November does not count
    found = {f["record"]: f for f in only(repo.run("K403"), "K403")}
    assert set(found) == {"C2026-0002"}
    assert "只有 1 次" in found["C2026-0002"]["message"] and "至少应有 2 次" in found["C2026-0002"]["message"]


def test_k403_new_and_after_sales_customers_are_exempt(repo):
    customer(repo, grade="C", registered="2026-10-02 09:00:00")
    customer(repo, id="C2026-0003", grade="C", stage="保修")
    assert not only(repo.run("K403"), "K403")


def test_k403_policy_override(repo):
    repo.write("records/policy.yaml", "visits_per_month: {A: 1, B: 0, C: 0, D: 0}\n")
    customer(repo, grade="B")
    assert not only(repo.run("K403"), "K403")


@pytest.mark.parametrize("followup_after,fires", [(None, True), (3, False), (0, False), (4, True)])
def test_k404_followup_after_first_plan_meeting(repo, followup_after, fires):
    meeting = 10
    customer(repo, extra=f"milestones:\n  first_plan_meeting: {days_ago(meeting)}\n")
    visit(repo, 10, 1)
    if followup_after is not None:
        visit(repo, 11, meeting - followup_after, type="回访")
    found = only(repo.run("K404"), "K404")
    assert bool(found) == fires
    if fires:
        assert found[0]["line"] == 15


def test_k404_not_due_yet(repo):
    customer(repo, extra=f"milestones:\n  first_plan_meeting: {days_ago(3)}\n")
    assert not only(repo.run("K404"), "K404")


@pytest.mark.parametrize("assigned,fires", [("2026-10-02", False), ("2026-10-01", True), ("2026-09-30", True)])
def test_k403_skips_the_month_a_pool_customer_was_assigned_in(repo, assigned, fires):
    history = ("owner_history:\n  - {owner: pool, from: 2026-08-01, by: sunmin}\n"
               f"  - {{owner: wangli, from: {assigned}, by: sunmin}}\n")
    customer(repo, grade="C", owner="wangli", extra=history)
    assert bool(only(repo.run("K403"), "K403")) == fires


def test_k403_skips_a_month_spent_in_the_pool_after_the_pool_command(repo):
    from conftest import kehu

    customer(repo, grade="C", owner="pool", extra="owner_history:\n  - {owner: pool, from: 2026-08-01, by: sunmin}\n")
    code, out, err = kehu("pool", "--assign", "C2026-0002", "--to", "wangli", "--by", "sunmin", repo=repo)
    assert code == 0, err
    assert not only(repo.run("K403"), "K403")
