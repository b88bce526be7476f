"""K201-K203: references resolve, ids are unique, responsible people are still here."""

from __future__ import annotations

from conftest import assert_findings, only

VISIT = "records/visits/2026/11/V2026-000002.yaml"


def test_k201_unknown_staff_with_hint(repo):
    [f] = assert_findings(repo, VISIT, """\
        id: V2026-000002
        customer: C2026-0001
        at: 2026-11-12 14:00:00
        staff: liuyng
        type: 电话
        summary: 电话沟通装修预算
        """, [("K201", 4)], select="K2")
    assert f["record"] == "V2026-000002" and "liuyng" in f["message"] and "是不是 liuyang" in f["message"]


def test_k201_unknown_customer(repo):
    [f] = assert_findings(repo, VISIT, """\
        id: V2026-000002
        customer: C2026-0100
        at: 2026-11-12 14:00:00
        staff: liuyang
        type: 电话
        summary: 电话沟通装修预算
        """, [("K201", 2)], select="K2")
    assert "客户 C2026-0100 不存在" in f["message"]


def test_k201_nested_references(repo):
    repo.customer(id="C2026-0003", phone="13700003333", extra=(
        "owner_history:\n  - owner: wangli\n    from: 2026-04-01\n    by: sunmim\n"))
    found = only(repo.findings(), "K201")
    assert [(f["record"], f["line"]) for f in found] == [("C2026-0003", 17)]
    assert "sunmin" in found[0]["message"]


def test_k201_pool_is_a_valid_owner(repo):
    repo.customer(id="C2026-0003", phone="13700003333", owner="pool", registered_by="liuyang")
    assert not only(repo.findings(), "K201")


def test_k201_reference_to_a_customer_with_a_schema_problem_still_resolves(repo):
    repo.customer(id="C2026-0003", phone="1370000")  # K101, but the id exists
    repo.visit(id="V2026-000002", customer="C2026-0003")
    found = repo.findings()
    assert only(found, "K101") and not only(found, "K201")


def test_k202_same_id_in_two_files(repo):
    repo.visit(id="V2026-000002", at="2026-03-05 09:00:00")
    repo.visit(id="V2026-000002", at="2026-04-05 09:00:00")
    [f] = only(repo.findings(), "K202")
    assert f["file"] == "records/visits/2026/04/V2026-000002.yaml"
    assert "records/visits/2026/03/V2026-000002.yaml" in f["message"]


def test_k203_owner_who_left(repo):
    repo.staff("zhaoqiang", "赵强", "客户经理", active=False, extra="left: 2026-06-30\n")
    repo.customer(id="C2026-0003", phone="13700003333", owner="zhaoqiang")
    [f] = only(repo.findings(), "K203")
    assert f["record"] == "C2026-0003" and f["line"] == 11
    assert "赵强" in f["message"] and "2026-06-30" in f["message"]


def test_k203_only_open_complaints(repo):
    repo.staff("zhaoqiang", "赵强", "客服专员", active=False)
    body = ("id: {id}\ncustomer: C2026-0001\nreceived_at: 2026-03-10 10:00:00\nchannel: 电话\n"
            "category: 服务态度\ndescription: 设计师迟到\nhandler: zhaoqiang\nstatus: {status}\n")
    repo.write("records/complaints/2026/T2026-0001.yaml", body.format(id="T2026-0001", status="调查中"))
    repo.write("records/complaints/2026/T2026-0002.yaml", body.format(id="T2026-0002", status="已关闭"))
    found = only(repo.findings(), "K203")
    assert [f["record"] for f in found] == ["T2026-0001"]


def test_k201_hint_prefers_swapped_digits(repo):
    repo.customer(id="C2026-0135", phone="13700001350")
    repo.customer(id="C2026-0165", phone="13700001650")
    repo.visit(id="V2026-000002", customer="C2026-0315")
    [f] = only(repo.run("K201"), "K201")
    assert "是不是 C2026-0135" in f["message"]
