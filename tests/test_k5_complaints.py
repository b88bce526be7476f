"""K501-K504: complaint deadlines in China working days, and the 回访 after resolution."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from conftest import only
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
