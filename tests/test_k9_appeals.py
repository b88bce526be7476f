"""K901-K903: appeals (申诉) go one level at a time, each level answers within working days,
and an owner change that cites an appeal cites this customer's appeal decided 改判."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import assert_findings, only

PATH = "records/appeals/2026/A2026-0001.yaml"
HEAD = ("id: A2026-0001\ncustomer: C2026-0001\nfiled_by: wangli\nagainst: liuyang\n"
        "reason: 客户 11 月 8 日已到店由我接待\nfiled_at: 2026-11-11 09:00:00\nstatus: {status}\nsteps:\n")


def step(level, at, by=None, decision=None):
    extra = (f", by: {by}" if by else "") + (f", decision: {decision}" if decision else "")
    return f"  - {{level: {level}, at: {at}{extra}}}\n"


def appeal(*steps, status="处理中"):
    return HEAD.format(status=status) + "".join(steps)


@pytest.mark.parametrize("levels,expected", [
    (["部门经理"], []),
    (["部门经理", "品控中心", "总经办"], []),
    (["品控中心"], [("K901", 9)]),  # 第一级 must be 部门经理
    (["部门经理", "总经办"], [("K901", 10)]),
    (["部门经理", "品控中心", "部门经理"], [("K901", 11)]),  # back
    (["部门经理", "部门经理"], [("K901", 10)]),  # the same level twice
])
def test_k901_one_level_at_a_time(repo, levels, expected):
    text = appeal(*[step(level, f"2026-11-1{i + 1} 10:00:00", "sunmin", "上报") for i, level in enumerate(levels)])
    found = assert_findings(repo, PATH, text, expected, select="K901")
    if levels == ["部门经理", "总经办"]:
        assert "应是品控中心" in found[0]["message"]


def test_k902_unanswered_after_three_working_days(repo):
    # 2026-11-12 (Thu) + 3 working days = 11-17 (Tue): quiet that day, a warning on 11-18
    repo.write(PATH, appeal(step("部门经理", "2026-11-11 10:00:00", "sunmin", "上报"), step("品控中心", "2026-11-12 15:00:00")))
    assert only(repo.run("K902", today=date(2026, 11, 17)), "K902") == []
    [f] = only(repo.run("K902", today=date(2026, 11, 18)), "K902")
    assert f["line"] == 10 and f["severity"] == "warning" and "请品控中心作出维持、改判或上报的决定" in f["message"]


@pytest.mark.parametrize("text", [
    appeal(step("部门经理", "2026-11-02 10:00:00", "sunmin", "维持"), status="处理中"),  # answered
    appeal(step("部门经理", "2026-11-02 10:00:00"), status="已撤回"),  # withdrawn
])
def test_k902_answered_or_closed(repo, text):
    repo.write(PATH, text)
    assert only(repo.run("K902", today=date(2026, 11, 30)), "K902") == []


def test_k902_policy(repo):
    repo.write("records/policy.yaml", "appeal_step_wd: 5\n")
    repo.write(PATH, appeal(step("部门经理", "2026-11-12 15:00:00")))
    assert only(repo.run("K902", today=date(2026, 11, 18)), "K902") == []


def test_k004_places_appeals_by_filing_year(repo):
    assert_findings(repo, "records/appeals/2025/A2026-0001.yaml", appeal(step("部门经理", "2026-11-11 10:00:00")),
                    [("K004", 1)], select="K004")


def test_k201_checks_the_appeals_people_and_customer(repo):
    text = appeal(step("部门经理", "2026-11-11 10:00:00", "sunmni")).replace("customer: C2026-0001", "customer: C2026-0002")
    assert_findings(repo, PATH, text, [("K201", 2), ("K201", 9)], select="K201")


OWNER_CHANGE = ("owner_history:\n  - {{owner: liuyang, from: 2026-11-10, by: sunmin}}\n"
                "  - {{owner: wangli, from: 2026-11-14, by: sunmin{cite}}}\n")
CUSTOMER_PATH = "records/customers/2026/C2026-0001.yaml"


def cite(repo, appeal_id, decision="改判", customer="C2026-0001"):
    repo.write(PATH, appeal(step("部门经理", "2026-11-11 10:00:00", "sunmin", "上报"),
                            step("品控中心", "2026-11-12 10:00:00", "sunmin", decision),
                            status="已裁决").replace("customer: C2026-0001", f"customer: {customer}"))
    repo.customer(owner="wangli", extra=OWNER_CHANGE.format(cite=f", appeal: {appeal_id}"))
    return [(f["code"], f["line"]) for f in repo.run("K201,K903") if f["file"] == CUSTOMER_PATH]


def test_owner_change_cites_an_appeal_decided_gaipan(repo):
    assert cite(repo, "A2026-0001") == []


def test_owner_change_cites_a_missing_appeal(repo):
    assert cite(repo, "A2026-0002") == [("K201", 16)]


def test_owner_change_cites_an_appeal_that_was_upheld(repo):
    assert cite(repo, "A2026-0001", decision="维持") == [("K903", 16)]


def test_owner_change_cites_another_customers_appeal(repo):
    repo.customer(id="C2026-0002", phone="13916052232")
    assert cite(repo, "A2026-0001", customer="C2026-0002") == [("K903", 16)]


def test_review_an_appeal_is_a_record_its_customers_owner_approves(history):
    from conftest import pr_commit, pr_review

    history.write(PATH, appeal(step("部门经理", "2026-11-18 10:00:00", "sunmin")))
    pr_commit(history.root, "appeal", author="wangli")
    status, document = pr_review(history)
    [change] = document["changes"]
    assert change["owner"] == "liuyang" and change["required_approvers"] == ["liuyang", "sunmin"]
    assert status == 1 and [f["code"] for f in document["findings"]] == ["K801"]
    assert pr_review(history, "--approved-by", "gh-liuyang")[0] == 0


def test_k701_reads_the_appeals_free_text(repo):
    text = appeal(step("部门经理", "2026-11-18 10:00:00")).replace("由我接待", "由我接待，客户电话 13812345678")
    assert_findings(repo, PATH, text, [("K701", 5)], select="K701")


def test_the_customer_page_shows_its_appeals_and_their_findings(repo, tmp_path):
    """The appeal that settles a 撞单 dispute is on the customer's page: in the timeline, with
    each level's decision, and its open problems among the customer's."""
    from kehu.check import Settings, run_check
    from kehu.site.pages import generate

    repo.write(PATH, appeal(step("部门经理", "2026-11-11 10:00:00", "sunmin", "上报"),
                            step("总经办", "2026-11-12 10:00:00")))  # K901: 品控中心 skipped
    result = run_check(Settings(repo.root, date(2026, 11, 20)))
    generate(result.repo, result.findings, tmp_path, full=False)
    page = (tmp_path / "customers" / "C2026-0001.md").read_text(encoding="utf-8")
    assert "申诉 A2026-0001（处理中" in page and "部门经理：上报；总经办：待答复" in page
    assert "K901" in page.split("## 时间线")[0]
