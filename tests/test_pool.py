"""`kehu pool`: the list, and --release / --assign that change two things and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import kehu

FILE = "records/customers/2026/C2026-0002.yaml"
ORIGINAL = """\
# yaml-language-server: $schema=../../../schemas/customer.schema.json
# 老客户介绍，重点跟进
id: C2026-0002
name: "李强"   # 先生
phones: ['13700002222']
source: {channel: 老客户介绍, referrer: C2026-0001}
grade: B
stage: 方案
owner: liuyang
registered_at: '2026-06-01 09:00'
registered_by: liuyang
owner_history:
  - owner: liuyang
    from: 2026-06-01
    by: sunmin
    reason: 首次分配
notes: >-
  客户希望春节前入住
"""


def pool(repo, *args, today="2026-11-20"):
    return kehu("pool", *args, repo=repo, today=today)


def test_release_changes_the_owner_line_and_appends_one_entry(repo):
    path = repo.write(FILE, ORIGINAL)
    code, out, err = pool(repo, "--release", "C2026-0002", "--by", "sunmin", "--reason", "60 天未跟进")
    assert code == 0, err
    expected = ORIGINAL.replace("owner: liuyang\nregistered_at", "owner: pool\nregistered_at").replace(
        "    reason: 首次分配\n",
        "    reason: 首次分配\n  - owner: pool\n    from: 2026-11-20\n    by: sunmin\n    reason: 60 天未跟进\n")
    assert path.read_bytes() == expected.encode("utf-8")
    assert "收回公海" in err
    assert not list(path.parent.glob(".*.tmp"))


def test_assign_keeps_crlf_bom_and_flow_style(repo):
    original = ("\ufeffid: C2026-0002\r\nname: 李强\r\nphones: ['13700002222']\r\nsource: {channel: 电话}\r\n"
                "grade: C\r\nstage: 咨询\r\nowner: pool\r\nregistered_at: 2026-06-01 09:00:00\r\nregistered_by: liuyang\r\n"
                "owner_history: [{owner: pool, from: 2026-08-01, by: sunmin}]  # 收回\r\n")
    path = repo.write(FILE, original.encode("utf-8"))
    code, out, err = pool(repo, "--assign", "C2026-0002", "--to", "wangli", "--by", "sunmin")
    assert code == 0, err
    expected = original.replace("owner: pool\r\nregistered_at", "owner: wangli\r\nregistered_at").replace(
        "by: sunmin}]", "by: sunmin}, {owner: wangli, from: 2026-11-20, by: sunmin, reason: 市场总监分配}]")
    assert path.read_bytes() == expected.encode("utf-8")


def test_first_history_entry_is_added_at_the_end(repo):
    path = repo.customer(id="C2026-0002", phone="13700002222")
    before = path.read_text(encoding="utf-8")
    code, out, err = pool(repo, "--release", "C2026-0002", "--by", "sunmin")
    assert code == 0, err
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("owner: liuyang\n", "owner: pool\n") + (
        "owner_history:\n  - owner: pool\n    from: 2026-11-20\n    by: sunmin\n    reason: 收回公海\n")
    check = subprocess.run([sys.executable, "-m", "kehu", "check", "--repo", str(repo.root), "--today", "2026-11-20",
                            "--select", "K1,K2,K3"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("args,message", [
    (["--release", "C2026-0002", "--by", "liuyang"], "无权分配"),
    (["--release", "C2026-0099", "--by", "sunmin"], "没有客户"),
    (["--assign", "C2026-0002", "--to", "liuyang", "--by", "sunmin"], "已经归 liuyang"),
])
def test_refusals_change_nothing(repo, args, message):
    path = repo.write(FILE, ORIGINAL)
    code, out, err = pool(repo, *args)
    assert code == 1 and message in err
    assert path.read_text(encoding="utf-8") == ORIGINAL


def test_regrab_inside_the_cooldown_is_refused(repo):
    path = repo.write(FILE, ORIGINAL)
    assert pool(repo, "--release", "C2026-0002", "--by", "sunmin", today="2026-11-01")[0] == 0
    released = path.read_text(encoding="utf-8")
    code, out, err = pool(repo, "--assign", "C2026-0002", "--to", "liuyang", "--by", "sunmin", today="2026-11-20")
    assert code == 1 and "K304" in err
    assert path.read_text(encoding="utf-8") == released
    assert pool(repo, "--assign", "C2026-0002", "--to", "liuyang", "--by", "sunmin", today="2026-12-01")[0] == 0


def test_bad_option_combinations_exit_2(repo):
    assert pool(repo, "--release", "C2026-0001")[0] == 2
    assert pool(repo, "--assign", "C2026-0001", "--by", "sunmin")[0] == 2


def test_list_sorted_by_urgency(repo):
    for n, (registered, _grade) in enumerate([("2026-09-01", "B"), ("2026-08-01", "B"), ("2026-09-16", "B"), ("2026-10-01", "B")], 2):
        repo.customer(id=f"C2026-{n:04d}", phone=f"1370000{n:04d}", registered_at=f"{registered} 09:00:00")
    code, out, err = pool(repo, "--format", "json")
    rows = json.loads(out)["customers"]
    # 2026-09-16 is 65 days before 2026-11-20... all but 10-01 (50 days, 10 left) are listed
    assert [r["id"] for r in rows] == ["C2026-0003", "C2026-0002", "C2026-0004"]
    assert [r["days_left"] for r in rows] == [-51, -20, -5]
    code, out, err = pool(repo)
    assert "逾期 51 天" in out and out.index("C2026-0003") < out.index("C2026-0002")


def test_concurrent_edits_of_one_customer_never_lose_one(repo):
    path = repo.write(FILE, ORIGINAL)
    commands = [[sys.executable, "-m", "kehu", "pool", "--repo", str(repo.root), "--today", "2026-11-20",
                 "--release", "C2026-0002", "--by", "sunmin", "--reason", f"第{n}次"] for n in range(4)]
    processes = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    codes = sorted(p.wait() for p in processes)
    assert codes == [0, 1, 1, 1]  # one release; the others find the customer already in the pool
    text = path.read_text(encoding="utf-8")
    assert text.count("  - owner: pool") == 1 and "owner: pool\nregistered_at" in text
    assert not list(path.parent.glob(".*.tmp"))


def test_customers_already_in_the_pool_are_listed_for_assignment(repo):
    repo.customer(id="C2026-0002", phone="13700000002", registered_at="2026-10-01 09:00:00")  # 50 days: not listed
    repo.customer(id="C2026-0003", phone="13700000003", owner="pool", registered_at="2026-06-01 09:00:00",
                  registered_by="liuyang", extra="owner_history:\n  - {owner: wangli, from: 2026-06-02, by: sunmin}\n"
                        "  - {owner: pool, from: 2026-09-01, by: sunmin, reason: 两个月无跟进}\n")
    repo.customer(id="C2026-0004", phone="13700000004", owner="pool", registered_at="2026-06-01 09:00:00",
                  registered_by="liuyang", extra="owner_history:\n  - {owner: pool, from: 2026-08-01, by: sunmin}\n")
    code, out, err = pool(repo, "--format", "json")
    assert code == 0, err
    rows = json.loads(out)["customers"]
    pooled = [r for r in rows if r["in_pool"]]
    assert [(r["id"], r["in_pool_since"], r["released_from"], r["released_by"]) for r in pooled] == [
        ("C2026-0004", "2026-08-01", "liuyang", "sunmin"), ("C2026-0003", "2026-09-01", "wangli", "sunmin")]
    assert all(r["in_pool"] is False for r in rows if r["id"] not in ("C2026-0003", "C2026-0004"))
    code, out, err = pool(repo)
    assert "已在公海" in out and out.index("C2026-0004") < out.index("C2026-0003")
    assert "2026-09-01  wangli  sunmin" in out
    code, out, err = pool(repo, "--no-in-pool")
    assert "已在公海" not in out and "C2026-0003" not in out
