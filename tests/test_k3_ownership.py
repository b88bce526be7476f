"""K301-K304: 撞单, owner load, the owner_history trail, release-and-regrab."""

from __future__ import annotations

import pytest

from conftest import only

HISTORY = "owner_history:\n{entries}"


def history(*entries):
    return "owner_history:\n" + "".join(
        f"  - {{owner: {o}, from: {d}, by: {b}}}\n" for o, d, b in entries)


@pytest.mark.parametrize("written", ["+86 139-1605-2231", "139 1605 2231", "0086-13916052231", "8613916052231"])
def test_k301_same_phone_written_differently(repo, written):
    repo.customer(id="C2026-0002", name="王芳芳", phone=written, owner="wangli", registered_at="2026-11-12 09:00:00")
    [f] = only(repo.run("K301"), "K301")
    assert f["record"] == "C2026-0002" and f["line"] == 4
    assert "C2026-0001" in f["message"] and "刘洋（liuyang）" in f["message"] and "2026-11-10 10:30" in f["message"]
    assert "139****2231" in f["message"] and "13916052231" not in f["message"]


def test_k301_fires_on_the_later_registration_whatever_the_file_order(repo):
    # C2026-0000 sorts first but was registered later than C2026-0001
    repo.customer(id="C2026-0000", phone="13916052231", owner="wangli", registered_at="2026-11-15 09:00:00")
    [f] = only(repo.run("K301"), "K301")
    assert f["record"] == "C2026-0000"


def test_k301_landlines_keep_their_area_code(repo):
    repo.customer(id="C2026-0002", phone="021-64381234", owner="wangli", registered_at="2026-11-12 09:00:00")
    repo.customer(id="C2026-0003", phone="010-64381234", owner="wangli", registered_at="2026-11-13 09:00:00")
    assert not only(repo.run("K301"), "K301")
    repo.customer(id="C2026-0004", phone="021 6438 1234", owner="liuyang", registered_at="2026-11-14 09:00:00")
    assert [f["record"] for f in only(repo.run("K301"), "K301")] == ["C2026-0004"]


def test_k301_one_customer_listing_a_number_twice_is_no_collision(repo):
    repo.customer(id="C2026-0002", phone="13700002222", extra="", registered_at="2026-11-12 09:00:00")
    text = (repo.root / "records/customers/2026/C2026-0002.yaml").read_text(encoding="utf-8")
    repo.write("records/customers/2026/C2026-0002.yaml", text.replace("  - '13700002222'\n", "  - '13700002222'\n  - '137 0000 2222'\n"))
    assert not only(repo.run("K301"), "K301")


def test_k302_owner_over_the_limit_and_policy_threshold(repo):
    for n in range(2, 5):
        repo.customer(id=f"C2026-{n:04d}", phone=f"1370000{n:04d}", registered_at="2026-11-12 09:00:00")
    assert not only(repo.run("K302"), "K302")
    repo.write("records/policy.yaml", "max_customers_per_owner: 3\n")
    [f] = only(repo.run("K302"), "K302")
    assert f["file"] == "records/staff/liuyang.yaml" and "4" in f["message"] and f["severity"] == "warning"
    repo.write("records/policy.yaml", "max_customers_per_owner: 4\n")
    assert not only(repo.run("K302"), "K302")


def test_k302_lost_and_after_sales_customers_do_not_count(repo):
    repo.write("records/policy.yaml", "max_customers_per_owner: 1\n")
    repo.customer(id="C2026-0002", phone="13700002222", extra="", registered_at="2026-11-12 09:00:00")
    text = (repo.root / "records/customers/2026/C2026-0002.yaml").read_text(encoding="utf-8")
    repo.write("records/customers/2026/C2026-0002.yaml", text.replace("stage: 咨询", "stage: 流失"))
    assert not only(repo.run("K302"), "K302")


def test_k303_owner_differs_from_registrant_without_history(repo):
    repo.customer(id="C2026-0002", phone="13700002222", owner="wangli", registered_by="liuyang")
    [f] = only(repo.run("K303"), "K303")
    assert f["record"] == "C2026-0002" and f["line"] == 11 and "owner_history" in f["message"]


def test_k303_assignment_by_the_director_is_fine(repo):
    repo.customer(id="C2026-0002", phone="13700002222", owner="wangli", registered_by="liuyang",
                  extra=history(("wangli", "2026-11-12", "sunmin")))
    assert not only(repo.run("K303"), "K303")


def test_k303_entry_by_a_non_assigner_and_last_entry_mismatch(repo):
    repo.customer(id="C2026-0002", phone="13700002222", owner="wangli", registered_by="liuyang",
                  extra=history(("wangli", "2026-11-12", "liuyang")))
    repo.customer(id="C2026-0003", phone="13700003333", owner="wangli", registered_by="liuyang",
                  extra=history(("zhouhui", "2026-11-12", "sunmin")))
    found = {f["record"]: f for f in only(repo.run("K303"), "K303")}
    assert "客户经理" in found["C2026-0002"]["message"] and found["C2026-0002"]["line"] == 15
    assert "zhouhui" in found["C2026-0003"]["message"]


def test_k303_assigner_roles_come_from_policy(repo):
    repo.write("records/policy.yaml", "assigner_roles: [市场总监, 客户经理]\n")
    repo.customer(id="C2026-0002", phone="13700002222", owner="wangli", registered_by="liuyang",
                  extra=history(("wangli", "2026-11-12", "liuyang")))
    assert not only(repo.run("K303"), "K303")


@pytest.mark.parametrize("gap,fires", [(29, True), (30, False)])
def test_k304_regrab_inside_the_cooldown(repo, gap, fires):
    from datetime import date, timedelta

    back = (date(2026, 9, 1) + timedelta(days=gap)).isoformat()
    repo.customer(id="C2026-0002", phone="13700002222", owner="liuyang", registered_by="liuyang",
                  registered_at="2026-06-01 09:00:00",
                  extra=history(("pool", "2026-09-01", "sunmin"), ("liuyang", back, "sunmin")))
    found = only(repo.run("K304"), "K304")
    assert bool(found) == fires
    if fires:
        assert found[0]["line"] == 16 and f"{gap} 天" in found[0]["message"]


def test_k304_pool_customer_given_to_someone_else_is_fine(repo):
    repo.customer(id="C2026-0002", phone="13700002222", owner="wangli", registered_by="liuyang",
                  registered_at="2026-06-01 09:00:00",
                  extra=history(("pool", "2026-09-01", "sunmin"), ("wangli", "2026-09-05", "sunmin")))
    assert not only(repo.run("K304"), "K304")


def source(repo, id, source_lines, **kw):
    """A customer whose `source:` block is `source_lines` (indented lines) instead of channel 到店."""
    path = repo.customer(id=id, phone=f"137{id[-4:]}0000", **kw)
    path.write_text(path.read_text(encoding="utf-8").replace("  channel: 到店\n", source_lines), encoding="utf-8")
    return path


def test_k305_customer_who_named_a_manager_kept_by_the_one_on_duty(repo):
    source(repo, "C2026-0002", "  channel: 老客户介绍\n  referrer: liuyang\n", owner="wangli")  # wangli registered it herself
    source(repo, "C2026-0003", "  channel: 老客户介绍\n  referrer: liuyang\n", owner="liuyang", registered_by="wangli",
           extra=history(("liuyang", "2026-11-11", "sunmin")))  # handed over as named
    source(repo, "C2026-0004", "  channel: 老客户介绍\n  referrer: liuyang\n", owner="wangli", registered_by="liuyang",
           extra=history(("wangli", "2026-11-11", "sunmin")))  # the director reassigned it
    source(repo, "C2026-0005", "  channel: 老客户介绍\n  referrer: C2026-0001\n", owner="wangli")  # an old customer, no staff
    source(repo, "C2026-0006", "  channel: 合作伙伴\n  referrer: 物业张经理\n", owner="wangli")  # text
    [f] = only(repo.run("K305"), "K305")
    assert f["record"] == "C2026-0002" and f["line"] == 12 and f["severity"] == "error"
    assert "刘洋（liuyang）" in f["message"] and "市场总监" in f["message"]


def test_k305_an_entry_by_a_non_assigner_does_not_count(repo):
    source(repo, "C2026-0002", "  channel: 老客户介绍\n  referrer: liuyang\n", owner="wangli", registered_by="liuyang",
           extra=history(("wangli", "2026-11-11", "wangli")))
    [f] = only(repo.run("K305"), "K305")
    assert f["record"] == "C2026-0002" and f["line"] == 12
    repo.write("records/policy.yaml", "assigner_roles: [市场总监, 客户经理]\n")
    assert not only(repo.run("K305"), "K305")


def test_k306_intermediary_must_be_marked_and_named(repo):
    source(repo, "C2026-0002", "  channel: 中介\n  referrer: 链家古北店\n  intermediary: true\n")
    source(repo, "C2026-0003", "  channel: 中介\n")
    source(repo, "C2026-0004", "  channel: 中介\n  referrer: 链家古北店\n  intermediary: false\n")
    source(repo, "C2026-0005", "  channel: 中介\n  referrer: liuyang\n  intermediary: true\n")
    source(repo, "C2026-0006", "  channel: 中介\n  referrer: C2026-0001\n  intermediary: true\n")
    source(repo, "C2026-0007", "  channel: 到店\n")
    found = sorted((f["record"], f["line"]) for f in only(repo.run("K306"), "K306"))
    assert found == [("C2026-0003", 8), ("C2026-0003", 8), ("C2026-0004", 10), ("C2026-0005", 9), ("C2026-0006", 9)]
    assert {f["severity"] for f in only(repo.run("K306"), "K306")} == {"warning"}
