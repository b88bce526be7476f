"""Hostile records: any value a branch can write gets a clear answer, never a crash or a hang."""

from __future__ import annotations

import json
import os
import random
import shutil
from datetime import date, timedelta
from types import SimpleNamespace

from conftest import PROJECT, kehu, only
from kehu.calendar import WorkCalendar


def answer(*args, repo, today="2026-11-20"):
    """kehu as a user runs it: no internal error, whatever the input (kehu() already refuses a traceback)."""
    code, out, err = kehu(*args, repo=repo, today=today)
    assert "内部错误" not in err, err
    return SimpleNamespace(returncode=code, stdout=out, stderr=err)


def kehu_check(repo, *args, today="2026-11-20"):
    return answer("check", *args, repo=repo, today=today)


def test_a_fifo_and_a_symlink_under_records_are_k003_and_never_opened(repo, tmp_path):
    os.mkfifo(repo.root / "records/customers/2026/C2026-0005.yaml")  # opening it would hang
    outside = tmp_path / "secret.yaml"
    outside.write_text("id: C2026-0006\nname: 外部文件里的名字\n", encoding="utf-8")
    os.symlink(outside, repo.root / "records/customers/2026/C2026-0006.yaml")
    for _ in range(2):  # the second run goes through the cache, which must not open them either
        run = kehu_check(repo, "--format", "json")
        findings = json.loads(run.stdout)["findings"]
        k003 = {f["file"]: f["message"] for f in only(findings, "K003")}
        assert set(k003) == {"records/customers/2026/C2026-0005.yaml", "records/customers/2026/C2026-0006.yaml"}
        assert "符号链接" in k003["records/customers/2026/C2026-0006.yaml"]
        assert "外部文件里的名字" not in run.stdout


def test_a_file_name_that_is_not_utf8_is_shown_in_every_format(repo):
    os.close(os.open(os.path.join(os.fsencode(repo.root / "records/customers/2026"), b"C2026-\xff.yaml"),
                     os.O_CREAT | os.O_WRONLY))
    for fmt in ("text", "github"):
        run = kehu_check(repo, "--format", fmt)
        assert run.returncode == 1 and "C2026-\\xff.yaml" in run.stdout, fmt
    files = {f["file"] for f in json.loads(kehu_check(repo, "--format", "json").stdout)["findings"]}
    assert "records/customers/2026/C2026-\\xff.yaml" in files


def test_dates_outside_1900_2200_and_infinite_numbers_are_k101(repo):
    repo.customer(id="C2026-0002", phone="13700002222", registered_at="0001-01-01 00:00:00+14:00",
                  extra="budget_wan: .inf\nhouse: {area_sqm: .nan}\n")
    repo.visit(id="V2026-000002", customer="C2026-0002", at="2026-11-12 14:00:00",
               extra="next_contact: 9999-12-31\n")
    run = kehu_check(repo, "--format", "json")
    k101 = {(f["record"], f["line"]) for f in only(json.loads(run.stdout)["findings"], "K101")}
    assert {("C2026-0002", 12), ("C2026-0002", 14), ("C2026-0002", 15), ("V2026-000002", 7)} <= k101
    assert "运行出错" not in run.stdout  # no rule crashed on them
    for command in (["pool"], ["report", "monthly"], ["export", "--out", str(repo.root / "x.csv"), "--format", "csv"]):
        assert answer(*command, repo=repo).returncode == 0, command


def test_today_outside_the_range_is_exit_2_and_the_far_end_still_answers(repo):
    refused = kehu_check(repo, today="9999-12-31")
    assert refused.returncode == 2 and "1900-01-01" in refused.stderr
    repo.write("records/complaints/2025/T2025-0001.yaml",
               "id: T2025-0001\ncustomer: C2026-0001\nreceived_at: 2025-09-30 10:00:00\nchannel: 电话\n"
               "category: 工期\ndescription: 工期拖延\nhandler: zhouhui\nstatus: 受理\n")
    far = kehu_check(repo, "--format", "json", "--no-cache", today="2200-12-31")
    overdue = only(json.loads(far.stdout)["findings"], "K502")
    assert overdue and "2027–2200" in far.stderr  # the years the holiday calendar had to guess, as one span


def test_working_days_are_counted_as_a_day_by_day_walk_would_count_them():
    policy = (["2027-10-01", "2027-10-04"], ["2027-10-09"])
    walk, count = WorkCalendar(*policy), WorkCalendar(*policy)

    def by_walking(start, end):
        if end < start:
            return -by_walking(end, start)
        return sum(walk.is_workday(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))

    rng = random.Random(7)
    for _ in range(2000):
        start = date(2003, 1, 1) + timedelta(days=rng.randrange(365 * 30))
        end = start + timedelta(days=rng.randrange(-1000, 1000))
        assert count.workdays_between(start, end) == by_walking(start, end), (start, end)


def test_a_formula_in_a_name_is_exported_as_text(repo, tmp_path):
    from openpyxl import load_workbook

    repo.customer(id="C2026-0002", name='=HYPERLINK("http://evil.example/","点我")', phone="13700002222")
    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"客户.{fmt}"
        assert answer("export", "--format", fmt, "--out", str(out), repo=repo).returncode == 0
        if fmt == "csv":
            assert "'=HYPERLINK(" in out.read_text(encoding="utf-8-sig")
        else:
            cells = [c for row in load_workbook(out).active.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
            assert cells and all(c.data_type == "s" for c in cells)


def test_a_handle_with_a_line_break_never_reaches_codeowners(repo):
    repo.staff("wangli", "王丽", "客户经理", extra="git:\n  handle: \"wang\\n* @attacker\"\n")
    run = kehu_check(repo, "--format", "json", "--select", "K101")
    assert any(f["file"] == "records/staff/wangli.yaml" for f in json.loads(run.stdout)["findings"])
    assert answer("codeowners", repo=repo).returncode == 0
    text = (repo.root / ".github/CODEOWNERS").read_text(encoding="utf-8")
    assert "attacker" not in text and all(not line.startswith("*") or line.startswith("* ") for line in text.splitlines())


def test_policy_cannot_switch_a_rule_that_does_not_exist(repo):
    repo.write("records/policy.yaml", "reclaim_after_days: 60\nrules:\n  K999: 'off'\n  K4: warning\n  K40: 'off'\n")
    run = kehu_check(repo, "--format", "json", "--select", "K101")
    [finding] = json.loads(run.stdout)["findings"]
    assert run.returncode == 1 and finding["file"] == "records/policy.yaml" and finding["line"] == 3
    assert "K999" in finding["message"]


def test_bad_outputs_schemas_and_sheets_get_a_sentence_not_an_internal_error(repo, tmp_path):
    missing = tmp_path / "no-such-folder"
    assert answer("report", "monthly", "--out", str(missing / "r.md"), repo=repo).returncode == 2
    assert "不存在" in answer("export", "--out", str(missing / "x.xlsx"), repo=repo).stderr
    sheet = tmp_path / "big.csv"
    sheet.write_text("客户姓名,联系电话,登记日期,客户经理\n" + "长" * 140_000 + ",13800000000,2026-01-01,liuyang\n",
                     encoding="utf-8")
    assert "这不像一张客户登记表" in answer("import", str(sheet), repo=repo).stderr
    shutil.copytree(PROJECT / "schemas", repo.root / "schemas")
    schema = repo.root / "schemas/customer.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace("$defs/grade", "$defs/nograde"), encoding="utf-8")
    broken = answer("check", repo=repo)
    assert broken.returncode == 2 and "$ref" in broken.stderr
