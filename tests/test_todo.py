"""`kehu todo`: each person's open duties, from a hand-made repository whose dates are
counted here by hand (today is Friday 2026-11-20)."""

from __future__ import annotations

import json
import re

import pytest

from conftest import kehu
from test_k4_followup import customer, days_ago, visit


def todo(repo, *args, today="2026-11-20"):
    code, out, err = kehu("todo", "--format", "json", *args, repo=repo, today=today)
    assert code == 0, err
    return json.loads(out)


def items(document, staff):
    return [(i["kind"], i["customer"], i["due"], i["days_left"], i["urgency"], i["code"])
            for p in document["people"] if p["staff"] == staff for i in p["items"]]


def complaint(repo, id="T2026-0001", customer_id="C2026-0001", received="2026-11-19 09:30:00", handler="zhouhui",
              status="受理", extra=""):
    repo.write(f"records/complaints/2026/{id}.yaml",
               f"id: {id}\ncustomer: {customer_id}\nreceived_at: {received}\nchannel: 电话\ncategory: 工期\n"
               f"description: 工期拖延\nhandler: {handler}\nstatus: {status}\n{extra}")


@pytest.fixture
def company(repo):
    customer(repo, "C2026-0002")  # liuyang's, last followed up 58 days ago: 2 days left of 60
    visit(repo, 2, 58, customer="C2026-0002")
    customer(repo, "C2026-0003", owner="wangli")  # wangli's, 65 days: 5 days overdue
    visit(repo, 3, 65, customer="C2026-0003", staff="wangli")
    customer(repo, "C2026-0004", extra="designer: chenjing\nmilestones:\n  first_consult: 2026-11-18\n")
    visit(repo, 4, 2, customer="C2026-0004")
    visit(repo, 5, 1, customer="C2026-0001", extra="next_contact: 2026-11-24\n")
    complaint(repo)  # received Thursday: the investigation is due within 1 working day, today
    return repo


def test_each_persons_duties_with_due_dates_most_urgent_first(company):
    document = todo(company)
    assert items(document, "liuyang") == [
        ("reclaim", "C2026-0002", "2026-11-22", 2, "urgent", "K402"),
        ("next_contact", "C2026-0001", "2026-11-24", 4, "soon", "K406"),
    ]
    assert items(document, "wangli") == [("reclaim", "C2026-0003", "2026-11-15", -5, "overdue", "K401")]
    assert items(document, "zhouhui") == [("complaint", "C2026-0001", "2026-11-20", 0, "urgent", "K501")]
    assert items(document, "chenjing") == [("design", "C2026-0004", "2026-11-25", 5, "soon", "K601")]
    assert document["summary"] == {"people": 4, "items": 5, "overdue": 1, "urgent": 2, "hidden": 0}


def test_a_duty_names_file_line_record_and_what_to_do(company):
    [reclaim] = next(p for p in todo(company)["people"] if p["staff"] == "wangli")["items"]
    assert reclaim["file"] == "records/customers/2026/C2026-0003.yaml" and reclaim["line"] == 11  # owner:
    assert reclaim["record"] == "C2026-0003" and reclaim["customer_name"] == "王芳"
    assert f"上次本人跟进 {days_ago(65)}" in reclaim["message"] and reclaim["escalated"] is True
    [investigate] = next(p for p in todo(company)["people"] if p["staff"] == "zhouhui")["items"]
    assert investigate["record"] == "T2026-0001" and investigate["file"] == "records/complaints/2026/T2026-0001.yaml"
    assert "1 个工作日内开始调查，2026-11-20 前" in investigate["message"]


def test_done_duties_leave_the_list(company):
    visit(company, 6, 0, customer="C2026-0002")  # followed up today: the clock restarts
    company.write("records/complaints/2026/T2026-0001.yaml",
                  (company.root / "records/complaints/2026/T2026-0001.yaml").read_text(encoding="utf-8")
                  .replace("status: 受理", "status: 调查中\ninvestigation_started_at: 2026-11-20 09:00:00"))
    document = todo(company)
    assert items(document, "liuyang") == [("next_contact", "C2026-0001", "2026-11-24", 4, "soon", "K406")]
    # the next step, the reply, is now the handler's: 2 working days from Thursday is Monday
    assert items(document, "zhouhui") == [("complaint", "C2026-0001", "2026-11-23", 3, "soon", "K502")]


def test_complaint_deadlines_count_working_days(company):
    complaint(company, "T2026-0002", received="2026-09-30 16:00:00", handler="wangli", status="调查中",
              extra="investigation_started_at: 2026-09-30 17:00:00\nreplied_at: 2026-09-30 18:00:00\n")
    # received the day before the National Day holiday (Oct 1-7 off): the 3 working days are
    # Thursday Oct 8, Friday Oct 9 and Saturday Oct 10, a make-up working day
    [resolve] = [i for i in items(todo(company), "wangli") if i[0] == "complaint"]
    assert resolve[2] == "2026-10-10" and resolve[4] == "overdue" and resolve[5] == "K503"


def test_duties_within_the_horizon_only(company):
    company.write("records/policy.yaml", "reclaim_after_days: 60\ntodo_horizon_days: 3\n")
    document = todo(company)
    assert ("next_contact", "C2026-0001", "2026-11-24", 4, "soon", "K406") not in items(document, "liuyang")
    assert items(document, "chenjing") == []  # due in 5 days
    assert items(document, "liuyang")[0][0] == "reclaim"  # the reclaim countdown keeps its own warning days


def test_the_months_visit_minimum_in_its_last_week(repo):
    customer(repo, "C2026-0005", grade="C", registered="2026-01-05 09:00:00")  # C: two visits a month
    visit(repo, 7, 1, customer="C2026-0005")  # one in November so far
    assert ("monthly_visits", "C2026-0005", "2026-11-30", 10, "soon", "K403") not in items(todo(repo), "liuyang")
    [due] = [i for i in items(todo(repo, today="2026-11-25"), "liuyang") if i[0] == "monthly_visits"]
    assert due == ("monthly_visits", "C2026-0005", "2026-11-30", 5, "soon", "K403")


def test_for_one_person_by_id_or_name(company):
    assert [p["staff"] for p in todo(company, "--for", "wangli")["people"]] == ["wangli"]
    assert [p["staff"] for p in todo(company, "--for", "刘洋")["people"]] == ["liuyang"]
    code, out, err = kehu("todo", "--for", "wangly", repo=company)
    assert code == 2 and "没有员工 wangly" in err and "wangli" in err


def test_pool_and_lost_customers_have_no_owner_duties(company):
    for path in company.root.glob("records/customers/2026/C2026-000[23].yaml"):
        path.write_text(path.read_text(encoding="utf-8").replace("stage: 咨询", "stage: 流失"), encoding="utf-8")
    document = todo(company)
    assert not [i for p in document["people"] for i in p["items"] if i["kind"] == "reclaim"]


def test_secret_customers_are_masked_like_the_site(company):
    path = company.root / "records/customers/2026/C2026-0003.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "confidentiality: 机密\n", encoding="utf-8")
    path = company.root / "records/customers/2026/C2026-0002.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "confidentiality: 绝密\n", encoding="utf-8")
    document = todo(company)
    [restricted] = next(p for p in document["people"] if p["staff"] == "wangli")["items"]
    assert restricted["customer"] == "C2026-0003" and restricted["customer_name"] is None
    assert restricted["message"] == "公海倒计时"  # the kind only: no dates or history of a 机密 customer
    liuyang = next(p for p in document["people"] if p["staff"] == "liuyang")
    assert [i["customer"] for i in liuyang["items"]] == ["C2026-0001"] and liuyang["hidden"] == 1
    code, out, _ = kehu("todo", "--for", "liuyang", repo=company)
    assert "C2026-0002" not in out and "另有 1 项涉及绝密客户" in out
    full = todo(company, "--full")
    assert "C2026-0002" in [i["customer"] for p in full["people"] for i in p["items"]]


def test_hostile_values_are_text_in_markdown_and_numbers_masked(company):
    path = company.root / "records/customers/2026/C2026-0003.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 王芳", "name: <img src=x onerror=alert(1)>13912345678"),
                    encoding="utf-8")
    code, out, err = kehu("todo", "--format", "md", repo=company)
    assert code == 0, err
    assert "<img" not in out and "&lt;img src=x onerror=alert\\(1\\)&gt;139\\*\\*\\*\\*5678" in out
    code, out, err = kehu("todo", repo=company)
    assert "13912345678" not in out and "139****5678" in out


def test_text_output_marks_overdue_and_urgent(company):
    code, out, err = kehu("todo", repo=company)
    assert code == 0, err
    lines = out.splitlines()
    at = lines.index("刘洋（liuyang）：2 项待办，0 项已超期，1 项紧急")
    assert lines[at + 1].startswith("  [紧急] 2026-11-22  还剩 2 天  公海倒计时  C2026-0002 王芳")
    assert "[已超期] 2026-11-15  已超期 5 天  公海倒计时  C2026-0003" in out
    code, out, _ = kehu("todo", "--lang", "en", repo=company)
    assert "[overdue] 2026-11-15  5 days overdue  reclaim countdown  C2026-0003" in out


def test_handover_aftersales_inspection_and_complaint_follow_up(repo):
    repo.staff("xulei", "徐磊", "客户经理", active=False, extra="left: 2026-11-30\n")
    customer(repo, "C2026-0006", owner="wangli", registered="2026-03-01 09:00:00",
             extra="owner_history:\n  - {owner: xulei, from: 2026-03-01, by: sunmin, reason: 分配}\n"
                   "  - {owner: wangli, from: 2026-11-16, by: sunmin, reason: 徐磊离职交接}\n")
    visit(repo, 8, 3, customer="C2026-0006", staff="xulei")  # the leaver's call does not count
    customer(repo, "C2026-0007", stage="保修", extra="milestones:\n  completed: 2026-11-10\n")  # day 7: Nov 17-24
    customer(repo, "C2026-0008", stage="施工", extra="milestones:\n  construction_started: 2026-11-12\n")
    visit(repo, 9, 4, customer="C2026-0008", type="工地巡检")  # Nov 16: next one due Nov 21
    complaint(repo, "T2026-0003", status="已解决", extra="resolved_at: 2026-11-18 10:00:00\n")
    document = todo(repo)
    assert items(document, "wangli") == [("handover", "C2026-0006", "2026-11-23", 3, "soon", "K408")]
    assert items(document, "liuyang") == [
        ("aftersales", "C2026-0007", "2026-11-17", -3, "overdue", "K405"),  # its window runs to Nov 24
        ("inspection", "C2026-0008", "2026-11-21", 1, "urgent", "K604"),
    ]
    assert items(document, "zhouhui") == [("complaint_followup", "C2026-0001", "2026-11-18", -2, "overdue", "K504")]
    visit(repo, 10, 0, customer="C2026-0006", staff="wangli")
    visit(repo, 11, 0, customer="C2026-0007", type="回访")
    assert items(todo(repo), "wangli") == [] and items(todo(repo), "liuyang")[0][0] == "inspection"


def test_the_staff_page_on_the_site_shows_the_same_list(company):
    path = company.root / "records/customers/2026/C2026-0003.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "confidentiality: 绝密\n", encoding="utf-8")
    code, _, err = kehu("build", repo=company)
    assert code == 0, err
    page = (company.root / "_site/staff/liuyang/index.html").read_text(encoding="utf-8")
    assert "待办（2 项，截至 2026-11-20）" in page
    row = re.search(r"<tr>\s*<td>2026-11-22</td>.*?</tr>", page, re.S).group()
    assert "<strong>还剩 2 天</strong>" in row and "公海倒计时" in row and 'href="../../customers/C2026-0002/"' in row
    wangli = (company.root / "_site/staff/wangli/index.html").read_text(encoding="utf-8")
    assert "C2026-0003" not in wangli and "另有 1 项涉及绝密客户" in wangli
