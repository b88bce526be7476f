"""`kehu review` on real git repositories with real commits: who must approve what."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest

from conftest import TODAY
from conftest import pr_commit as commit
from conftest import pr_git as git
from conftest import pr_review as review


def codes(document):
    return sorted(f["code"] for f in document["findings"])


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_owner_edits_own_customer(history):
    history.visit(id="V2026-000002", at="2026-11-18 10:00:00")
    commit(history.root, "visit")
    status, document = review(history)
    assert status == 0 and codes(document) == []
    [change] = document["changes"]
    assert change == {"file": "records/visits/2026/11/V2026-000002.yaml", "record": "V2026-000002", "kind": "added",
                      "owner": "liuyang", "required_approvers": []}


def test_k801_visit_to_someone_elses_customer_and_its_approval(history):
    history.visit(id="V2026-000002", at="2026-11-18 10:00:00", staff="wangli")
    commit(history.root, "visit", author="wangli")
    status, document = review(history)
    assert status == 1 and codes(document) == ["K801"]
    assert document["changes"][0]["required_approvers"] == ["liuyang", "sunmin"]
    message = document["findings"][0]["message"]
    assert "刘洋（liuyang，@gh-liuyang）" in message and "孙敏（sunmin，@gh-sunmin）" in message
    assert review(history, "--approved-by", "gh-liuyang")[0] == 0
    assert review(history, "--approved-by", "sunmin@hzdecor.cn")[0] == 0
    assert review(history, "--approved-by", "zhouhui")[0] == 1


def test_k802_taking_a_customer_is_not_cleared_by_approval(history):
    path = history.root / "records/customers/2026/C2026-0001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("owner: liuyang", "owner: wangli"), encoding="utf-8")
    commit(history.root, "take", author="wangli")
    status, document = review(history, "--approved-by", "sunmin")
    assert status == 1 and codes(document) == ["K303", "K802"]  # K303: the record rule on the touched customer
    assert document["findings"][0]["line"] == 11


def test_k802_assignment_recorded_by_the_director(history):
    subprocess.run([sys.executable, "-m", "kehu", "pool", "--repo", str(history.root), "--today", "2026-11-20",
                    "--release", "C2026-0001", "--by", "sunmin"], check=True, capture_output=True)
    commit(history.root, "release", author="sunmin")
    assert review(history)[1]["findings"] == []


def test_k803_deletion_needs_a_disposal_and_the_retention(history):
    history.customer(id="C2014-0007", phone="13700007777", registered_at="2014-03-02 10:00:00")
    git(history.root, "checkout", "-q", "main")
    commit(history.root, "old customer", author="sunmin", when="2026-11-11T12:00:00+08:00")
    git(history.root, "checkout", "-q", "change")
    git(history.root, "merge", "-q", "main", when="2026-11-12T12:00:00+08:00")
    (history.root / "records/customers/2026/C2026-0001.yaml").unlink()
    (history.root / "records/customers/2014/C2014-0007.yaml").unlink()
    commit(history.root, "delete", author="sunmin")
    status, document = review(history)
    assert codes(document) == ["K201", "K803", "K803"]  # K201: the deleted customer's visit names nobody
    history.write("records/disposals/2026/D2026-0001.yaml",
                  "id: D2026-0001\nrecords: [C2014-0007, C2026-0001]\nreason: 期满销毁\napproved_by: [sunmin]\n"
                  "at: 2026-11-18 10:00:00\n")
    commit(history.root, "disposal", author="sunmin")
    # the disposal counts only once the people it names approved the pull request
    status, document = review(history)
    assert codes(document) == ["K201", "K803", "K803"]
    assert all("sunmin" in f["message"] for f in document["findings"] if f["code"] == "K803")
    status, document = review(history, "--approved-by", "sunmin")
    [finding] = [f for f in document["findings"] if f["code"] == "K803"]
    assert finding["code"] == "K803" and finding["record"] == "C2026-0001" and "2036-11-10" in finding["message"]


@pytest.mark.parametrize("registered,fires", [("2026-11-17 11:00:00", False), ("2026-11-02 09:00:00", True)])
def test_k804_back_dated_registration(history, registered, fires):
    history.customer(id="C2026-0002", phone="13700002222", registered_at=registered)
    commit(history.root, "new customer", when="2026-11-18T10:00:00+08:00")
    status, document = review(history)
    assert (codes(document) == ["K804"]) == fires
    if fires:
        assert "2026-11-02 09:00" in document["findings"][0]["message"] and document["findings"][0]["line"] == 12


def test_k804_registration_time_changed_after_the_fact(history):
    path = history.root / "records/customers/2026/C2026-0001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("2026-11-10 10:30:00", "2026-11-01 10:30:00"), encoding="utf-8")
    commit(history.root, "earlier")
    assert codes(review(history)[1]) == ["K804"]


def test_k805_staff_change_needs_an_admin_based_on_the_base_roles(history):
    path = history.root / "records/staff/liuyang.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("role: 客户经理", "role: 市场总监"), encoding="utf-8")
    commit(history.root, "promote myself")
    status, document = review(history)
    assert status == 1 and codes(document) == ["K805"]
    assert document["changes"][0]["required_approvers"] == ["sunmin"]
    assert review(history, "--approved-by", "gh-sunmin")[0] == 0


def test_k806_phone_of_another_owners_customer(history):
    history.customer(id="C2026-0002", phone="139 1605 2231", owner="wangli", registered_at="2026-11-18 09:00:00")
    commit(history.root, "new", author="wangli")
    document = review(history)[1]
    assert codes(document) == ["K806"]
    assert "C2026-0001" in document["findings"][0]["message"] and "139****2231" in document["findings"][0]["message"]


def test_merge_revert_binary_and_unknown_author(history):
    path = history.root / "records/customers/2026/C2026-0001.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "notes: 临时\n", encoding="utf-8")
    (history.root / "docs").mkdir()
    (history.root / "docs/plan.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0binary")
    commit(history.root, "note, picture")
    path.write_text(path.read_text(encoding="utf-8").replace("notes: 临时\n", ""), encoding="utf-8")
    commit(history.root, "revert the note")
    git(history.root, "checkout", "-q", "main")
    history.customer(id="C2026-0003", phone="13700003333", owner="wangli", registered_by="wangli",
                     registered_at="2026-11-12 09:00:00")
    commit(history.root, "on main meanwhile", author="wangli", when="2026-11-12T12:00:00+08:00")
    git(history.root, "checkout", "-q", "change")
    git(history.root, "merge", "-q", "--no-edit", "main", when="2026-11-19T12:00:00+08:00")
    status, document = review(history, "--author", "liuyang")
    files = {c["file"]: c for c in document["changes"]}
    assert set(files) == {"docs/plan.png"}  # the reverted note and main's commit drop out
    assert "note" in files["docs/plan.png"]
    # a picture in docs/ is an admin path: the director approves it
    assert status == 1 and codes(document) == ["K805"] and files["docs/plan.png"]["required_approvers"] == ["sunmin"]
    assert review(history, "--author", "liuyang", "--approved-by", "sunmin")[0] == 0
    # without the code host's word, the merge commit's author (CI) is nobody on the staff list
    status, document = review(history, trusted=False)
    assert status == 1 and codes(document) == ["K801", "K805", "K807"]
    assert any("CI <ci@hzdecor.cn> 不在员工名单" in f["message"] for f in document["findings"])


def test_bad_refs_and_no_git_exit_2(repo, history):
    run = subprocess.run([sys.executable, "-m", "kehu", "review", "--repo", str(history.root), "--base", "nope"],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_a_crashing_review_rule_becomes_a_finding_and_the_others_still_run(history, monkeypatch):
    from dataclasses import replace

    from kehu import review as review_module
    from kehu.review import run_review
    from kehu.rules import RULES

    def boom(review):
        raise TypeError("unhashable type: 'list'")

    monkeypatch.setattr(review_module, "REVIEW_RULES", {**review_module.REVIEW_RULES, "K806": replace(RULES["K806"], check=boom)})
    history.customer(id="C2026-0002", owner="wangli", registered_by="liuyang")  # K802: taken without an entry
    commit(history.root, "customer")
    result = run_review(history.root, "main", None, TODAY, author="liuyang", received_at=datetime(2026, 11, 18, 10))
    crashed = [f for f in result.findings if f.code == "K806"]
    assert len(crashed) == 1 and "K806 运行出错" in crashed[0].message.zh and crashed[0].severity == "error"
    assert any(f.code == "K802" for f in result.findings)


@pytest.mark.parametrize("registered,received,fires", [
    ("2026-11-16 15:00:00", "2026-11-17T09:59:00+08:00", False),  # Monday, by Tuesday 10:00
    ("2026-11-16 15:00:00", "2026-11-17T10:01:00+08:00", True),
    ("2026-09-30 15:00:00", "2026-10-08T09:00:00+08:00", False),  # the National Day holiday (10-01..10-07) between
    ("2026-09-30 15:00:00", "2026-10-08T10:30:00+08:00", True),
])
def test_k809_registration_deadline_in_working_days(history, registered, received, fires):
    history.customer(id="C2026-0002", phone="13700002222", registered_at=registered)
    commit(history.root, "new customer")
    document = review(history, "--received-at", received, "--select", "K809")[1]
    assert (codes(document) == ["K809"]) == fires


def test_k809_policy_deadline_and_imports(history):
    history.write("records/policy.yaml", "reclaim_after_days: 60\nregistration_deadline: {workdays: 0, time: '18:00'}\n")
    history.customer(id="C2026-0002", phone="13700002222", registered_at="2026-11-16 15:00:00")
    commit(history.root, "new customer and a policy")
    assert codes(review(history, "--received-at", "2026-11-16T19:00:00+08:00", "--select", "K809")[1]) == []  # base policy
    git(history.root, "checkout", "-q", "main")
    git(history.root, "merge", "-q", "change")
    git(history.root, "checkout", "-q", "-b", "next")
    history.customer(id="C2026-0003", phone="13700003333", registered_at="2026-11-16 15:00:00")
    commit(history.root, "late under the new policy")
    found = review(history, "--received-at", "2026-11-16T19:00:00+08:00", "--select", "K809")[1]
    assert codes(found) == ["K809"] and "2026-11-16 18:00" in found["findings"][0]["message"]


@pytest.mark.parametrize("change,fires", [
    (("grade: B", "grade: A"), True),
    (("grade: B", "grade: C"), False),
    (("stage: 咨询", "stage: 施工"), True),
    (("stage: 咨询", "stage: 量房"), False),
    (("stage: 咨询", "stage: 咨询\nlocked: true"), True),
])
def test_k810_owner_cannot_stop_the_reclaim_clock_alone(history, change, fires):
    path = history.root / "records/customers/2026/C2026-0001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*change), encoding="utf-8")
    commit(history.root, "my customer", author="liuyang")
    status, document = review(history, "--select", "K810")
    assert (codes(document) == ["K810"]) == fires
    if fires:
        assert "孙敏" in document["findings"][0]["message"]
        assert review(history, "--select", "K810", "--approved-by", "sunmin")[0] == 0
