"""K701: phone and ID-card numbers in free text, without flagging dates, amounts or ids."""

from __future__ import annotations

import pytest

from conftest import only
from kehu.rules.k7_privacy import is_id_card, pii_in

FLAGGED = [
    "客户说新号码是13812345678，晚上打",
    "新号 138 1234 5678",
    "电话+86 138-1234-5678",
    "身份证 440301199003071230 已核对",
    "身份证11010519491231002x",
]
CLEAN = [
    "2026-03-04 量房，预算 18.5万，面积 128.5㎡",
    "参考 C2025-0042 和 V2025-000123 的方案",
    "合同金额 1380000 元",
    "订单号 A13812345678B",
    "工期 20260304 至 20260630",
    "身份证号 440301199003071231 校验位不对",
    "编号 123456789012345678",
]


@pytest.mark.parametrize("text", FLAGGED)
def test_flags_personal_numbers(text):
    assert pii_in(text), text


@pytest.mark.parametrize("text", CLEAN)
def test_leaves_dates_amounts_and_ids_alone(text):
    assert not pii_in(text), text


def test_id_card_checksum():
    assert is_id_card("11010519491231002X") and is_id_card("440301199003071230")
    assert not is_id_card("440301199003071231")  # wrong check digit
    assert not is_id_card("440301199013071234")  # month 13


def test_k701_on_visit_summary_and_customer_notes(repo):
    repo.visit(id="V2026-000002", extra="").write_text(
        repo.visit(id="V2026-000002").read_text(encoding="utf-8").replace("电话沟通装修预算", FLAGGED[0]), encoding="utf-8")
    repo.customer(id="C2026-0002", phone="13700002222", extra=f"notes: {FLAGGED[3]}\n")
    found = {f["record"]: f for f in only(repo.run("K701"), "K701")}
    assert set(found) == {"V2026-000002", "C2026-0002"}
    assert found["V2026-000002"]["line"] == 6 and "138****5678" in found["V2026-000002"]["message"]
    assert "13812345678" not in found["V2026-000002"]["message"]
    assert "440301********1230" in found["C2026-0002"]["message"]
