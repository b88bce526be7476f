"""`kehu report scorecard`: every figure below is worked out by hand from the records written
here. Today is 2026-11-20, so the default period is October 2026 (working days: 10-08 to
10-10 after the National Day holiday, then Monday to Friday)."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from conftest import kehu

SURVEY = ("survey: {household_size: 3, age_range: 30-40岁, occupation: 教师, decision_maker: 夫妻共同, heard_from: 朋友,"
          " priorities: [环保], filled_by: chenjing, filled_at: 2026-10-15}\n")


def customer(repo, id, registered, by, grade, phone, extra="", owner=None):
    repo.write(f"records/customers/2026/{id}.yaml",
               f"id: {id}\nname: 客户{id[-2:]}\nphones: ['{phone}']\nsource: {{channel: 到店}}\ngrade: {grade}\n"
               f"stage: {'签约' if 'contract' in extra else '方案'}\nowner: {owner or by}\nregistered_at: {registered}\n"
               f"registered_by: {by}\n{extra}")


def visit(repo, id, customer_id, at, staff, kind="电话", extra=""):
    repo.write(f"records/visits/{at[:4]}/{at[5:7]}/{id}.yaml",
               f"id: {id}\ncustomer: {customer_id}\nat: {at}\nstaff: {staff}\ntype: {kind}\nsummary: 沟通\n{extra}")


@pytest.fixture
def october(repo):
    # liuyang's: 0101 (grade C, 2 visits in October: met), 0102 (grade C, 1 visit: not met; contract 30.5 万 on
    # 10-15 with designer chenjing, survey complete)
    customer(repo, "C2026-0101", "2026-09-01 10:00:00", "liuyang", "C", "13700000101")
    customer(repo, "C2026-0102", "2026-09-10 10:00:00", "liuyang", "C", "13700000102",
             "designer: chenjing\nmilestones: {contract_signed: 2026-10-15}\n"
             "contract: {amount_wan: 30.5, signed_at: 2026-10-15}\n" + SURVEY)
    visit(repo, "V2026-000101", "C2026-0101", "2026-10-05 10:00:00", "liuyang")
    visit(repo, "V2026-000102", "C2026-0101", "2026-10-20 10:00:00", "liuyang", "上门", "satisfaction: 4\n")
    visit(repo, "V2026-000103", "C2026-0102", "2026-10-25 10:00:00", "zhouhui", "满意度调查", "satisfaction: 5\n")
    # wangli's: 0103 taken back into the pool on 10-10 (a reclaim); 0104 registered 10-05 with 0101's phone
    # (撞单: liuyang registered first and wins); 0106 grade A, visited once (met)
    customer(repo, "C2026-0103", "2026-08-01 10:00:00", "wangli", "B", "13700000103",
             "owner_history:\n  - {owner: pool, from: 2026-10-10, by: sunmin, reason: 两个月无跟进}\n", owner="pool")
    customer(repo, "C2026-0104", "2026-10-05 09:00:00", "wangli", "B", "13700000101")
    customer(repo, "C2026-0106", "2026-09-05 10:00:00", "wangli", "A", "13700000106")
    visit(repo, "V2026-000104", "C2026-0106", "2026-10-12 10:00:00", "wangli")
    # a 绝密 customer of liuyang's registered in October: counted only in the full scorecard
    customer(repo, "C2026-0105", "2026-10-08 10:00:00", "liuyang", "B", "13700000105", "confidentiality: 绝密\n")
    # complaints handled by zhouhui: one against liuyang (received Mon 10-12, investigated the same day,
    # replied and resolved Fri 10-16: reply due 10-14 and resolution due 10-15 were missed; the customer
    # was satisfied); one against 工程部 (all three on time; not satisfied)
    repo.write("records/complaints/2026/T2026-0001.yaml",
               "id: T2026-0001\ncustomer: C2026-0101\nreceived_at: 2026-10-12 09:00:00\nchannel: 电话\ncategory: 服务态度\n"
               "description: 电话不回\nagainst: {staff: liuyang}\nhandler: zhouhui\nstatus: 已解决\n"
               "investigation_started_at: 2026-10-12 10:00:00\nreplied_at: 2026-10-16 10:00:00\n"
               "resolved_at: 2026-10-16 15:00:00\nfollow_up: {at: 2026-10-20 10:00:00, by: zhouhui, satisfied: true}\n")
    repo.write("records/complaints/2026/T2026-0002.yaml",
               "id: T2026-0002\ncustomer: C2026-0106\nreceived_at: 2026-10-20 09:00:00\nchannel: 电话\ncategory: 工期\n"
               "description: 工人没来\nagainst: {department: 工程部}\nhandler: zhouhui\nstatus: 已解决\n"
               "investigation_started_at: 2026-10-20 10:00:00\nreplied_at: 2026-10-21 10:00:00\n"
               "resolved_at: 2026-10-22 10:00:00\nfollow_up: {at: 2026-10-23 10:00:00, by: zhouhui, satisfied: false}\n")
    return repo


def card(repo, *args):
    code, out, err = kehu("report", "scorecard", "--format", "json", *args, repo=repo)
    assert code == 0, err
    document = json.loads(out)
    return document, {p["staff"]: p for p in document["people"]}


def test_scorecard_figures_per_person(october):
    document, people = card(october)
    assert document["period"]["start"] == "2026-10-01T00:00:00" and document["period"]["end"] == "2026-11-01T00:00:00"
    assert [p["role"] for p in document["people"]] == ["客户经理", "客户经理", "设计师", "客服专员", "市场总监"]
    liuyang = people["liuyang"]["measures"]
    assert liuyang | {} == {
        "customers_held": 2, "new_registrations": 0, "visit_months": 2, "visit_months_met": 1, "visit_rate": 50.0,
        "visits_per_customer_month": 1.5, "reclaims_suffered": 0, "collisions_won": 1, "collisions_lost": 0,
        "complaints_against": 1, "complaints_handled": 0, "complaint_on_time_rate": None, "survey_contracts": 0,
        "survey_completeness": None, "contracts": 1, "contract_amount_wan": 30.5, "satisfaction_scores": 2,
        "satisfaction_average": 4.5, "follow_ups": 0, "follow_up_satisfied_rate": None}
    wangli = people["wangli"]["measures"]
    assert (wangli["customers_held"], wangli["new_registrations"], wangli["visit_months"], wangli["visit_rate"],
            wangli["reclaims_suffered"], wangli["collisions_lost"], wangli["collisions_won"], wangli["contracts"],
            wangli["satisfaction_average"]) == (2, 1, 1, 100.0, 1, 1, 0, 0, None)
    chenjing = people["chenjing"]["measures"]
    assert (chenjing["contracts"], chenjing["contract_amount_wan"], chenjing["survey_contracts"],
            chenjing["survey_completeness"], chenjing["satisfaction_average"]) == (1, 30.5, 1, 100.0, 5.0)
    zhouhui = people["zhouhui"]["measures"]
    # deadlines: T1 on time, late, late; T2 three on time: 4 of 6
    assert (zhouhui["complaints_handled"], zhouhui["complaint_on_time_rate"], zhouhui["follow_ups"],
            zhouhui["follow_up_satisfied_rate"], zhouhui["satisfaction_scores"]) == (2, 66.7, 2, 50.0, 0)


def test_scorecard_ratings_follow_the_policy(october):
    _, people = card(october)
    # liuyang: visits 50 % (差: under 80) decides, whatever else is 优良
    assert people["liuyang"]["rating"] == "差"
    assert people["liuyang"]["rating_by_measure"] == {"visit_rate": "差", "satisfaction_average": "优良",
                                                      "complaints_against": "合格", "reclaims_suffered": "优良"}
    # wangli: one reclaim is 合格; no satisfaction score, so it is not rated on it
    assert people["wangli"]["rating"] == "合格" and "satisfaction_average" not in people["wangli"]["rating_by_measure"]
    assert people["chenjing"]["rating"] == "优良"
    assert people["zhouhui"]["rating"] == "差"  # 66.7 % on time, 50 % satisfied
    assert people["sunmin"]["rating"] is None  # 市场总监: not rated by default
    october.write("records/policy.yaml", "reclaim_after_days: 60\nscorecard_ratings:\n"
                  "  客服专员: {complaint_on_time_rate: {excellent: 60, pass: 50}, follow_up_satisfied_rate: {excellent: 50, pass: 0}}\n")
    _, people = card(october)
    assert people["zhouhui"]["rating"] == "优良" and people["liuyang"]["rating"] is None  # the policy replaced the default


def test_scorecard_period_and_masking(october):
    _, people = card(october, "--full")
    assert people["liuyang"]["measures"]["new_registrations"] == 1 and people["liuyang"]["measures"]["customers_held"] == 3
    document, people = card(october, "--from", "2026-10-01", "--to", "2026-10-09")
    assert document["period"]["end"] == "2026-10-10T00:00:00"
    # no whole month in the range: visits per grade are not measured; the collision of 10-05 is
    assert people["liuyang"]["measures"]["visit_months"] == 0 and people["liuyang"]["measures"]["visit_rate"] is None
    assert people["wangli"]["measures"]["collisions_lost"] == 1 and people["wangli"]["measures"]["reclaims_suffered"] == 0
    assert kehu("report", "scorecard", "--from", "2026-10-01", repo=october)[0] == 2
    assert kehu("report", "scorecard", "--month", "2026-10", repo=october)[0] == 2


def test_scorecard_markdown_and_xlsx_keep_hostile_names_text(october, tmp_path):
    october.staff("hacker", '=HYPERLINK("http://x.example","点我")<script>13912345678', "客户经理")
    customer(october, "C2026-0107", "2026-10-09 10:00:00", "hacker", "B", "13700000107")
    code, out, err = kehu("report", "scorecard", repo=october)
    assert code == 0, err
    assert "<script>" not in out and "&lt;script&gt;" in out and "13912345678" not in out and "139\\*\\*\\*\\*5678" in out
    assert out.startswith("# 员工考核表 2026 年 10 月")
    row = next(line for line in out.splitlines() if "（liuyang）" in line)
    assert "| 50.0 |" in row and "| 差 |" in row
    target = tmp_path / "考核.xlsx"
    assert kehu("report", "scorecard", "--format", "xlsx", "--out", str(target), repo=october)[0] == 0
    book = load_workbook(target)
    assert book.sheetnames[:2] == ["概要", "图表-产值"] and {"客户经理", "设计师", "客服专员", "评级标准"} <= set(book.sheetnames)
    sheet = book["客户经理"]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["员工", "部门", "持有客户", "新登记客户"] and headers[-2:] == ["评级", "评级依据"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    liuyang = rows["刘洋（liuyang）"]
    assert liuyang[headers.index("回访达标率（%）")].value == 50.0 and liuyang[headers.index("产值（万元）")].value == 30.5
    assert isinstance(liuyang[headers.index("持有客户")].value, int)
    hostile = next(cell for name, r in rows.items() if name.startswith("=HYPERLINK") for cell in r[:1])
    assert hostile.data_type == "s" and "139****5678" in hostile.value  # text, not a formula; the number masked
    assert book["图表-产值"]._charts and book["概要"]["B3"].value.year == 2026  # a real date, not text
