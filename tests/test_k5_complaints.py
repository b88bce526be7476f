"""K501-K504: complaint deadlines in China working days, and the 回访 after resolution."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from conftest import assert_findings, only
from kehu.calendar import WorkCalendar


def complaint(repo, id="T2025-0001", received="2025-09-30 10:00:00", status="受理", extra=""):
    repo.write(f"records/complaints/{received[:4]}/{id}.yaml",
               f"id: {id}\ncustomer: C2026-0001\nreceived_at: {received}\nchannel: 电话\ncategory: 工程质量\n"
               f"description: 卫生间渗水\nhandler: zhouhui\nstatus: {status}\n{extra}")


def codes_on(repo, today, record="T2025-0001"):
    return {f["code"] for f in repo.run("K5", today=today) if f["record"] == record}


def test_calendar_national_day_2025():
    calendar = WorkCalendar()
    assert not calendar.is_workday(date(2025, 10, 8))
    assert calendar.is_workday(date(2025, 9, 28)) and calendar.is_workday(date(2025, 10, 11))  # 调休 weekend days
    assert calendar.add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert calendar.add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)


def test_not_late_during_the_holiday_and_late_after(repo):
    complaint(repo)
    assert codes_on(repo, date(2025, 10, 8)) == set()
    assert codes_on(repo, date(2025, 10, 14)) == {"K501", "K502", "K503"}


def test_each_deadline_on_its_own_day(repo):
    complaint(repo)
    assert codes_on(repo, date(2025, 10, 9)) == set()
    assert codes_on(repo, date(2025, 10, 10)) == {"K501"}
    assert codes_on(repo, date(2025, 10, 11)) == {"K501", "K502"}
    assert codes_on(repo, date(2025, 10, 12)) == {"K501", "K502", "K503"}


def test_done_on_time_across_the_holiday(repo):
    complaint(repo, status="已解决", extra=(
        "investigation_started_at: 2025-10-09 09:00:00\nreplied_at: 2025-10-10 17:00:00\n"
        "resolved_at: 2025-10-11 16:00:00\nfollow_up: {at: 2025-10-13 10:00:00, by: zhouhui, satisfied: true}\n"))
    assert codes_on(repo, date(2025, 11, 1)) == set()


def test_done_late_says_how_late(repo):
    complaint(repo, status="已答复", extra="investigation_started_at: 2025-10-14 09:00:00\nreplied_at: 2025-10-14 17:00:00\n")
    found = {f["code"]: f for f in repo.run("K5", today=date(2025, 10, 15)) if f["record"] == "T2025-0001"}
    assert set(found) == {"K501", "K502", "K503"}
    assert "晚了 4 个工作日" in found["K501"]["message"]  # 10-10, 10-11 (调休 Saturday), 10-13, 10-14 and found["K501"]["line"] == 9
    assert "已超期" in found["K503"]["message"]


def test_k504_resolved_without_follow_up(repo):
    complaint(repo, status="已解决", extra="investigation_started_at: 2025-09-30 11:00:00\nresolved_at: 2025-09-30 17:00:00\n")
    [f] = only(repo.run("K504", today=date(2025, 11, 1)), "K504")
    assert f["line"] == 8 and f["severity"] == "warning"


def test_extra_holidays_from_policy(repo):
    complaint(repo)
    assert codes_on(repo, date(2025, 10, 11)) == {"K501", "K502"}
    repo.write("records/policy.yaml", "extra_holidays: [2025-10-09, 2025-10-10]\n")
    assert codes_on(repo, date(2025, 10, 11)) == set()  # the first working day after receipt is now 10-11


def test_unknown_year_falls_back_to_weekdays_and_says_so(repo):
    complaint(repo, id="T2027-0001", received="2027-01-04 10:00:00")
    run = subprocess.run([sys.executable, "-m", "kehu", "check", "--repo", str(repo.root), "--today", "2027-01-06",
                          "--select", "K5", "--format", "json"], capture_output=True, text=True)
    assert "2027" in run.stderr and "周一至周五" in run.stderr
    assert run.stderr.count("2027 年") == 1  # said once
    assert '"K501"' in run.stdout  # 2027-01-04 Mon + 1 working day = Tue 01-05, late on Wed


def test_extra_workdays_silence_the_fallback_note(repo):
    repo.write("records/policy.yaml", "extra_holidays: [2027-01-01]\nextra_workdays: [2027-01-09]\n")
    complaint(repo, id="T2027-0001", received="2027-01-04 10:00:00")
    run = subprocess.run([sys.executable, "-m", "kehu", "check", "--repo", str(repo.root), "--today", "2027-01-06",
                          "--select", "K5"], capture_output=True, text=True)
    assert "周一至周五" not in run.stderr


@pytest.mark.parametrize("policy,expected", [("complaint_investigate_wd: 2\n", set()), ("rules: {K501: 'off'}\n", set())])
def test_policy_overrides(repo, policy, expected):
    repo.write("records/policy.yaml", policy)
    complaint(repo)
    assert codes_on(repo, date(2025, 10, 10)) == expected


# --- K503 satisfied by an escalation by the deadline; K505 the escalation chain --------------

def esc(*levels_at):
    return "escalations:\n" + "".join(f"  - {{level: {level}, at: {at}, by: zhouhui}}\n" for level, at in levels_at)


def k503(repo, today):
    return [f for f in repo.run("K503", today=today) if f["record"] == "T2025-0001"]


def test_k503_escalated_on_the_deadline_is_enough(repo):
    complaint(repo, status="调查中", extra=esc(("部门经理", "2025-10-11 17:00:00")))  # due 10-11 (调休 Saturday)
    assert k503(repo, date(2025, 10, 20)) == []


def test_k503_escalated_a_day_late_still_fires_and_names_the_next_level(repo):
    complaint(repo, status="调查中", extra=esc(("部门经理", "2025-10-13 09:00:00")))
    [f] = k503(repo, date(2025, 10, 20))
    assert f["line"] == 8 and "请上报分管副总" in f["message"]


def test_k503_without_escalation_says_hand_over_or_escalate_to_the_first_level(repo):
    complaint(repo, status="调查中")
    [f] = k503(repo, date(2025, 10, 20))
    assert "交给他人处理或上报部门经理" in f["message"]


def test_k503_at_the_top_of_a_policy_chain(repo):
    repo.write("records/policy.yaml", "escalation_chain: [店长, 总经理]\n")
    complaint(repo, status="调查中", extra=esc(("店长", "2025-10-13 09:00:00"), ("总经理", "2025-10-14 09:00:00")))
    [f] = k503(repo, date(2025, 10, 20))
    assert "已在最高一级（总经理）" in f["message"]


def test_k503_resolved_late_but_escalated_in_time(repo):
    complaint(repo, status="已解决", extra="investigation_started_at: 2025-09-30 11:00:00\nreplied_at: 2025-09-30 16:00:00\n"
              "resolved_at: 2025-10-15 16:00:00\nfollow_up: {at: 2025-10-16 10:00:00, by: zhouhui}\n"
              + esc(("部门经理", "2025-10-10 10:00:00")))
    assert codes_on(repo, date(2025, 11, 1)) == set()


K505_PATH = "records/complaints/2025/T2025-0001.yaml"
HEAD = ("id: T2025-0001\ncustomer: C2026-0001\nreceived_at: 2025-09-30 10:00:00\nchannel: 电话\ncategory: 工程质量\n"
        "description: 卫生间渗水\nhandler: zhouhui\nstatus: 调查中\n")


@pytest.mark.parametrize("levels,expected", [
    (["部门经理", "分管副总", "总经理"], []),
    (["部门经理", "部门经理", "分管副总"], []),  # asked the same level twice: no skip
    (["分管副总"], [("K505", 10)]),  # skips 部门经理
    (["部门经理", "总经理"], [("K505", 11)]),
    (["部门经理", "分管副总", "部门经理"], [("K505", 12)]),  # back
    (["部门经理", "品控中心"], [("K505", 11)]),  # the appeal chain's level, not the complaint chain's
])
def test_k505_escalation_order(repo, levels, expected):
    text = HEAD + esc(*[(level, f"2025-09-30 1{i}:00:00") for i, level in enumerate(levels)])
    assert_findings(repo, K505_PATH, text, expected, select="K505")


def test_k505_follows_the_policy_chain(repo):
    repo.write("records/policy.yaml", "escalation_chain: [部门经理, 品控中心, 总经办]\n")
    text = HEAD + esc(("部门经理", "2025-09-30 11:00:00"), ("品控中心", "2025-09-30 12:00:00"))
    assert_findings(repo, K505_PATH, text, [], select="K505")
    found = assert_findings(repo, K505_PATH, HEAD + esc(("分管副总", "2025-09-30 11:00:00")), [("K505", 10)], select="K505")
    assert "部门经理 → 品控中心 → 总经办" in found[0]["message"]
