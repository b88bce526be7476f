"""K601-K604: pre-plan and plan deadlines, the survey form, site inspections."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import TODAY, only


def day(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def customer(repo, milestones: dict, house="", stage="方案", extra="", id="C2026-0002"):
    lines = "milestones:\n" + "".join(f"  {k}: {v}\n" for k, v in milestones.items())
    path = repo.customer(id=id, phone=f"137{id[-4:]}0000", registered_at="2026-06-01 09:00:00", extra=lines + house + extra)
    path.write_text(path.read_text(encoding="utf-8").replace("stage: 咨询", f"stage: {stage}"), encoding="utf-8")


@pytest.mark.parametrize("house,delivered_after,fires", [
    ("house: {type: 普通, area_sqm: 96}\n", 7, False),
    ("house: {type: 普通, area_sqm: 96}\n", 8, True),
    ("house: {type: 普通, area_sqm: 200}\n", 9, False),  # exactly 200 ㎡ is large
    ("house: {type: 普通, area_sqm: 199.5}\n", 9, True),
    ("house: {type: 别墅, area_sqm: 150}\n", 10, False),  # a villa is large whatever its area
    ("house: {type: 复式}\n", 11, True),
])
def test_k601_preplan_deadline_by_house(repo, house, delivered_after, fires):
    customer(repo, {"first_consult": day(30), "preplan_delivered": day(30 - delivered_after)}, house)
    found = only(repo.run("K601"), "K601")
    assert bool(found) == fires, found
    if fires:
        assert f"晚了 {delivered_after - (10 if '复式' in house else 7)} 天" in found[0]["message"]


def test_k601_not_delivered_yet(repo):
    customer(repo, {"first_consult": day(12)}, stage="咨询")
    customer(repo, {"first_consult": day(5)}, stage="咨询", id="C2026-0003")  # not due
    customer(repo, {"first_consult": day(40)}, stage="流失", id="C2026-0004")  # lost
    customer(repo, {"first_consult": day(40), "plan_delivered": day(20)}, id="C2026-0005")  # moved on
    found = only(repo.run("K601"), "K601")
    assert [f["record"] for f in found] == ["C2026-0002"]
    assert "已超期 5 天" in found[0]["message"] and found[0]["line"] == 15


def test_k601_large_house_threshold_from_policy(repo):
    repo.write("records/policy.yaml", "large_house_sqm: 90\n")
    customer(repo, {"first_consult": day(30), "preplan_delivered": day(21)}, "house: {type: 普通, area_sqm: 96}\n")
    assert not only(repo.run("K601"), "K601")


@pytest.mark.parametrize("house,after,fires", [("", 7, False), ("", 9, True), ("house: {type: 别墅}\n", 14, False)])
def test_k602_plan_after_deposit(repo, house, after, fires):
    customer(repo, {"deposit_paid": day(30), "plan_delivered": day(30 - after)}, house)
    assert bool(only(repo.run("K602"), "K602")) == fires


SURVEY = ("survey: {household_size: 3, age_range: 30-40, occupation: 工程师, decision_maker: 夫妻共同, "
          "heard_from: 小区推广, priorities: [环保], filled_by: chenjing, filled_at: 2026-06-18}\n")


def test_k603_signed_without_survey_or_incomplete(repo):
    customer(repo, {"contract_signed": "2026-06-18"}, stage="签约")
    customer(repo, {"contract_signed": "2026-06-18"}, stage="签约", id="C2026-0003",
             extra=SURVEY.replace("occupation: 工程师, ", ""))
    customer(repo, {"contract_signed": "2026-06-18"}, stage="签约", id="C2026-0004", extra=SURVEY)
    customer(repo, {"first_consult": "2026-06-18"}, stage="咨询", id="C2026-0005")
    found = {f["record"]: f for f in only(repo.run("K603"), "K603")}
    assert set(found) == {"C2026-0002", "C2026-0003"}
    assert "没有客户基本情况调查表" in found["C2026-0002"]["message"]
    assert found["C2026-0003"]["message"] == "调查表缺少：occupation" and found["C2026-0003"]["severity"] == "error"


def test_k603_required_fields_from_policy(repo):
    repo.write("records/policy.yaml", "survey_required: [household_size, filled_by]\n")
    customer(repo, {"contract_signed": "2026-06-18"}, stage="签约", extra="survey: {household_size: 3, filled_by: chenjing}\n")
    assert not only(repo.run("K603"), "K603")


def inspections(repo, days_ago: list[int]):
    for n, ago in enumerate(days_ago):
        path = repo.visit(id=f"V2026-{n + 10:06d}", customer="C2026-0002", at=f"{day(ago)} 09:00:00", staff="chenjing")
        path.write_text(path.read_text(encoding="utf-8").replace("type: 电话", "type: 工地巡检"), encoding="utf-8")


def test_k604_gap_between_inspections(repo):
    customer(repo, {"construction_started": day(30)}, stage="施工")
    inspections(repo, [26, 21, 9, 4, 0])  # 26 -> 21 is 5 days (fine), 21 -> 9 is 12
    [f] = only(repo.run("K604"), "K604")
    assert "最长 12 天" in f["message"] and "共 1 处" in f["message"]


def test_k604_every_five_days_is_fine_and_other_stages_are_not_checked(repo):
    customer(repo, {"construction_started": day(20)}, stage="施工")
    inspections(repo, [15, 10, 5, 0])
    customer(repo, {"construction_started": day(20)}, stage="验收", id="C2026-0003")
    assert not only(repo.run("K604"), "K604")


def test_k604_counts_up_to_today(repo):
    customer(repo, {"construction_started": day(20)}, stage="施工")
    inspections(repo, [15, 10])
    [f] = only(repo.run("K604"), "K604")
    assert "最长 10 天" in f["message"]


@pytest.mark.parametrize("stage,milestones,missing", [
    ("签约", {"contract_signed": day(5)}, None),
    ("签约", {"quoted": day(5)}, "contract_signed"),
    ("施工", {"contract_signed": day(30)}, "construction_started"),
    ("施工", {"contract_signed": day(30), "construction_started": day(20)}, None),
    ("验收", {"contract_signed": day(90), "construction_started": day(80)}, "completed"),
    ("保修", {"contract_signed": day(90), "construction_started": day(80), "completed": day(10)}, None),
    ("结算", {"contract_signed": day(90), "completed": day(10)}, "construction_started"),
    ("报价", {"quoted": day(5)}, None),  # before the contract nothing is required
    ("流失", {"quoted": day(5)}, None),
])
def test_k605_stage_needs_its_milestones(repo, stage, milestones, missing):
    customer(repo, milestones, stage=stage)
    found = only(repo.run("K605"), "K605")
    assert [(f["line"], missing in f["message"]) for f in found] == ([(10, True)] if missing else [])


def test_k605_contract_date_may_come_from_the_contract(repo):
    customer(repo, {"quoted": day(10)}, stage="签约", extra=f"contract: {{amount_wan: 30, signed_at: {day(3)}}}\n")
    assert not only(repo.run("K605"), "K605")


def test_k605_no_milestone_in_the_future(repo):
    customer(repo, {"contract_signed": day(30), "construction_started": day(0), "completed": day(-1)}, stage="施工")
    customer(repo, {"contract_signed": day(400), "construction_started": day(380), "completed": day(300),
                    "warranty_until": day(-430)}, stage="保修", id="C2026-0003")  # the warranty end date is no event
    found = only(repo.run("K605"), "K605")
    assert [(f["record"], f["line"]) for f in found] == [("C2026-0002", 17)] and "晚于今天" in found[0]["message"]


def survey(filled_by="chenjing", filled_at="2026-06-21"):
    return f"designer: chenjing\nsurvey: {{household_size: 3, filled_by: {filled_by}, filled_at: {filled_at}}}\n"


@pytest.mark.parametrize("extra,fires", [
    (survey(), False),  # 3 days after the contract
    (survey(filled_at="2026-06-22"), True),  # 4 days
    (survey(filled_at="2026-06-10"), False),  # before the contract: filled as the deal was made
    (survey(filled_by="liuyang"), True),
    ("survey: {household_size: 3, filled_by: liuyang, filled_at: 2026-06-18}\n", False),  # no designer named
])
def test_k606_survey_by_the_designer_within_days(repo, extra, fires):
    customer(repo, {"contract_signed": "2026-06-18"}, stage="签约", extra=extra)
    found = only(repo.run("K606"), "K606")
    assert bool(found) == fires, found
    if fires:
        assert found[0]["line"] == 17 and found[0]["severity"] == "warning"


def test_k606_days_from_policy(repo):
    repo.write("records/policy.yaml", "survey_after_contract_days: 5\n")
    customer(repo, {"contract_signed": "2026-06-18"}, stage="签约", extra=survey(filled_at="2026-06-23"))
    assert not only(repo.run("K606"), "K606")


@pytest.mark.parametrize("type_,confirmed,line", [
    ("到店咨询", "customer_confirmed: true\n", None),
    ("到店咨询", "", 5),
    ("量房", "customer_confirmed: false\n", 7),
    ("量房", "customer_confirmed: true\n", None),
    ("电话", "", None),
])
def test_k607_consultation_and_measuring_records_are_signed(repo, type_, confirmed, line):
    path = repo.visit(id="V2026-000002", extra=confirmed)
    path.write_text(path.read_text(encoding="utf-8").replace("type: 电话", f"type: {type_}"), encoding="utf-8")
    found = only(repo.run("K607"), "K607")
    assert [f["line"] for f in found] == ([line] if line else [])
