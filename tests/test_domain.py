"""kehu.domain: the business vocabulary's meanings, the one masking policy, and rule titles
filled from the policy in force."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import TODAY
from kehu import domain
from kehu.check import prepare
from kehu.findings import Finding, Text
from kehu.rules import RULES
from kehu.validate import Schemas, schema_dir


@pytest.fixture(scope="module")
def schemas():
    return Schemas(schema_dir(None))


def test_every_word_of_the_schema_has_its_place(schemas):
    assert domain.unplaced(schemas) == []
    assert list(domain.STAGES) == schemas.vocabulary("stage")
    assert list(domain.COMPLAINT_STATUSES) == schemas.vocabulary("complaintStatus")
    assert list(domain.CONFIDENTIALITY) == schemas.vocabulary("confidentiality")


def test_a_new_or_renamed_word_is_named_until_it_is_placed(schemas):
    class Renamed:
        def vocabulary(self, name):
            words = schemas.vocabulary(name)
            if name == "stage":
                return [("交底" if w == "量房" else w) for w in words]
            return words + ["内部"] if name == "confidentiality" else words

    assert sorted(domain.unplaced(Renamed())) == [
        "confidentiality 内部: no group in kehu.domain",
        "stage 交底: no group in kehu.domain",
        "stage 量房: placed in kehu.domain, not in the schema",
    ]


def test_stage_groups():
    assert domain.ACTIVE_STAGES == ("咨询", "量房", "方案", "报价", "签约", "施工", "验收")
    assert domain.RECLAIM_EXEMPT_STAGES == ("施工", "验收", "结算", "保修", "流失")
    assert domain.MONTHLY_VISIT_EXEMPT_STAGES == ("结算", "保修", "流失")
    assert domain.funnel()[0] == ("咨询", None) and domain.funnel()[-1] == ("签约", "contract_signed")
    assert domain.OPEN_STATUSES == ("受理", "调查中", "已答复") and domain.DONE_STATUSES == ("已解决", "已关闭")


def test_survey_completeness_and_contract_date():
    required = ["household_size", "occupation", "priorities", "filled_by"]
    data = {"contract": {"signed_at": "2026-06-18"}, "survey": {"household_size": 3, "occupation": "", "priorities": []}}
    assert domain.contract_signed(data) == "2026-06-18"
    assert domain.unfilled_survey_fields(data, required) == ["occupation", "priorities", "filled_by"]
    assert domain.survey_completeness(data, required) == 0.25
    assert domain.survey_completeness({}, []) == 1.0


def test_periods():
    assert domain.previous_month(date(2026, 3, 15)) == (date(2026, 2, 1), date(2026, 2, 28))
    month = domain.last_month(date(2026, 3, 15))
    assert (month.start.date(), month.end.date(), month.title) == (date(2026, 2, 1), date(2026, 3, 1), "月报 2026 年 02 月")
    assert domain.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1) and domain.add_months(date(2026, 11, 1), -12) == date(2025, 11, 1)
    so_far = domain.calendar_month(date(2026, 2, 1), today=date(2026, 2, 24))
    assert so_far.end.date() == date(2026, 2, 25) and so_far.title == "月报 2026 年 02 月（截至 02 月 24 日）"
    # the month's last seven days are the week of its last meeting (000 第四条)
    assert [domain.in_closing_week(date(2026, 2, d)) for d in (21, 22, 28)] == [False, True, True]
    assert domain.presented_month(date(2026, 2, 22)).start.date() == date(2026, 2, 1)
    assert domain.presented_month(date(2026, 2, 21)).start.date() == date(2026, 1, 1)
    whole = domain.complete_months(domain.date_range(date(2026, 1, 15), date(2026, 3, 31)))
    assert whole == [(date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 3, 1), date(2026, 3, 31))]
    assert domain.complete_months(domain.last_week(date(2026, 11, 20))) == []


def test_staff_labels(repo):
    loaded = prepare(repo.root, TODAY)
    assert domain.staff_label(loaded, "liuyang") == "刘洋（liuyang）"
    assert domain.staff_label(loaded, "pool") == "公海" and domain.staff_label(loaded, "nobody") == "nobody"
    assert domain.staff_name(loaded, "liuyang") == "刘洋" and domain.staff_name(loaded, None) is None


def _finding(record, message):
    return Finding("K301", "error", None, None, None, record, Text(message, message))


def test_visibility_masks_restricts_and_hides(repo):
    repo.customer(id="C2026-0002", name="钱机", phone="13700002222", extra="confidentiality: 机密\naddress: 七宝镇 1 号\n")
    repo.customer(id="C2026-0003", name="赵秘", phone="13700003333", extra="confidentiality: 绝密\n")
    repo.visit(id="V2026-000002", customer="C2026-0003")
    repo.write("records/customers/2026/C2026-0001.yaml",
               (repo.root / "records/customers/2026/C2026-0001.yaml").read_text(encoding="utf-8") + "address: 七宝镇 2 号\n")
    loaded = prepare(repo.root, TODAY)
    customers = loaded.ids("customer")
    view = domain.Visibility(loaded)
    plain = view.customer(customers["C2026-0001"])
    assert plain["phones"] == ["139****2231"] and "address" not in plain and plain["community"] == "万科城市花园"
    assert view.customer(customers["C2026-0002"]) == {"id": "C2026-0002", "owner": "liuyang", "stage": "咨询"}
    assert view.customer(customers["C2026-0003"]) is None
    assert not view.shows("V2026-000002") and view.shows("V2026-000001")
    # a message naming a customer the output restricts or hides gives way to the title
    assert view.message(_finding("C2026-0001", "撞单：已属于 C2026-0002（钱机）"), "标题") == "标题"
    assert view.message(_finding("C2026-0001", "撞单：已属于 C2026-0009"), "标题") == "撞单：已属于 C2026-0009"
    full = domain.Visibility(loaded, full=True)
    assert full.customer(customers["C2026-0002"])["name"] == "钱机" and full.customer(customers["C2026-0003"])
    assert full.customer(customers["C2026-0001"])["address"] == "七宝镇 2 号"


def test_the_stricter_level_wins_when_two_files_share_an_id(repo):
    repo.customer(id="C2026-0002", name="钱机", phone="13700002222")
    repo.customer(id="C2026-0002", name="钱机", phone="13700002222", folder="2025", extra="confidentiality: 绝密\n")
    view = domain.Visibility(prepare(repo.root, TODAY))
    assert view.level("C2026-0002") == "绝密" and not view.shows("C2026-0002")


def test_titles_are_filled_from_the_policy_in_force():
    reply = RULES["K502"]
    assert reply.title == Text("投诉未在 2 个工作日内答复客户", "no reply to the customer within 2 working days")
    assert reply.title_for({"complaint_reply_wd": 1}) == Text("投诉未在 1 个工作日内答复客户",
                                                             "no reply to the customer within 1 working day")
    assert RULES["K401"].title_for({"reclaim_after_days": {"A": 90, "B": 60}}).zh == "公海：A 90、B 60 天无销售动作，可收回"
    assert RULES["K303"].title_for({"assigner_roles": ["市场总监", "总经理"]}).zh == "归属变更没有市场总监、总经理的 owner_history 记录"
    assert RULES["K501"].title_for({}).zh == "投诉未在 1 个工作日内开始调查"  # what the policy lacks: the default
    for rule in RULES.values():
        assert "{" not in rule.title.zh + rule.title.en, rule.code


def test_the_site_catalogue_and_pool_page_read_the_policy_in_force(repo, tmp_path):
    from kehu.check import Settings, run_check
    from kehu.site.pages import generate

    repo.write("records/policy.yaml", "complaint_reply_wd: 1\nreclaim_after_days: {A: 90, B: 60, C: 45, D: 30}\n")
    result = run_check(Settings(repo.root, TODAY))
    generate(result.repo, result.findings, tmp_path, full=False)
    assert "\n# K502 投诉未在 1 个工作日内答复客户\n" in (tmp_path / "rules" / "K502.md").read_text(encoding="utf-8")
    assert "投诉未在 1 个工作日内答复客户" in (tmp_path / "rules" / "index.md").read_text(encoding="utf-8")
    assert "连续 A 90、B 60、C 45、D 30 天无销售跟进" in (tmp_path / "pool.md").read_text(encoding="utf-8")
