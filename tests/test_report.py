"""`kehu report`: expected counts are worked out by hand from the fixture below."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from conftest import kehu

# The statistics week 2026-11-13 18:00 .. 2026-11-20 18:00 (today is Friday 2026-11-20).
IN_WEEK = [  # id, registered, channel, district, house type, budget
    ("C2026-0010", "2026-11-13 18:00:00", "到店", "闵行区", "普通", 15),   # on the boundary: counts
    ("C2026-0011", "2026-11-16 09:00:00", "到店", "浦东新区", "别墅", 120),
    ("C2026-0012", "2026-11-20 17:59:00", "网络", "闵行区", "普通", 35),
]
OUTSIDE = [("C2026-0013", "2026-11-13 17:59:00", "网络", "徐汇区", "复式", 60),  # one minute too early
           ("C2026-0014", "2026-11-20 18:00:00", "展会", "徐汇区", "复式", 60)]  # the next week


def customer(repo, id, registered, channel, district, house, budget, extra=""):
    repo.write(f"records/customers/2026/{id}.yaml",
               f"id: {id}\nname: 客户{id[-2:]}\nphones: ['1370000{id[-4:]}']\ndistrict: {district}\n"
               f"source: {{channel: {channel}}}\nhouse: {{type: {house}}}\nbudget_wan: {budget}\ngrade: B\nstage: 咨询\n"
               f"owner: liuyang\nregistered_at: {registered}\nregistered_by: liuyang\n{extra}")


@pytest.fixture
def period_repo(repo):
    for row in IN_WEEK + OUTSIDE:
        customer(repo, *row)
    for n, (at, staff, kind) in enumerate([("2026-11-14 10:00:00", "liuyang", "电话"), ("2026-11-17 10:00:00", "liuyang", "上门"),
                                           ("2026-11-18 10:00:00", "wangli", "电话"), ("2026-11-21 10:00:00", "wangli", "电话")]):
        repo.visit(id=f"V2026-{n + 100:06d}", customer="C2026-0010", at=at, staff=staff).write_text(
            (repo.root / f"records/visits/2026/11/V2026-{n + 100:06d}.yaml").read_text(encoding="utf-8")
            .replace("type: 电话", f"type: {kind}"),
            encoding="utf-8")
    # received Mon 11-16; investigated the same day, replied Wed 11-18 (day 2: on time), not resolved by Thu 11-19
    repo.write("records/complaints/2026/T2026-0001.yaml",
               "id: T2026-0001\ncustomer: C2026-0010\nreceived_at: 2026-11-16 09:00:00\nchannel: 电话\ncategory: 工期\n"
               "description: 开工推迟\nhandler: zhouhui\nstatus: 已答复\ninvestigation_started_at: 2026-11-16 11:00:00\n"
               "replied_at: 2026-11-18 16:00:00\n")
    return repo


def report(repo, *args):
    return kehu("report", *args, repo=repo)


def rows(document, key):
    return {row[0]: row[1:] if len(row) > 2 else row[1] for row in document["tables"][key]["rows"]}


def test_weekly_counts(period_repo):
    code, out, err = report(period_repo, "weekly", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["period"]["start"] == "2026-11-13T18:00:00" and document["period"]["end"] == "2026-11-20T18:00:00"
    assert rows(document, "new_by_source") == {"到店": 2, "网络": 1}
    assert rows(document, "new_by_district") == {"闵行区": 2, "浦东新区": 1}
    assert rows(document, "new_by_house_type") == {"普通": 2, "别墅": 1}
    assert rows(document, "new_by_budget") == {"10–20 万": 1, "100 万以上": 1, "20–50 万": 1}
    assert rows(document, "visits_by_staff") == {"刘洋（liuyang）": 2, "王丽（wangli）": 1}
    assert rows(document, "visits_by_type") == {"电话": 2, "上门": 1}
    # investigation and reply on time; resolution was due Thu 11-19 and is not done
    assert rows(document, "complaints") == {"工期": [1, 100.0, 100.0, 0.0]}
    assert document["summary"]["new_customers"] == 3


def test_range_and_monthly(period_repo):
    document = json.loads(report(period_repo, "range", "--from", "2026-11-13", "--to", "2026-11-13", "--format", "json")[1])
    assert rows(document, "new_by_source") == {"到店": 1, "网络": 1}  # 17:59 and 18:00 of that day
    document = json.loads(report(period_repo, "monthly", "--format", "json")[1])
    assert document["period"]["title"] == "月报 2026 年 10 月" and document["summary"]["new_customers"] == 0


def test_xlsx_sheets_headers_and_widths(period_repo, tmp_path):
    target = tmp_path / "周报.xlsx"
    code, out, err = report(period_repo, "weekly", "--format", "xlsx", "--out", str(target))
    assert code == 0, err
    book = load_workbook(target)
    assert book.sheetnames[:3] == ["概要", "新增客户按来源", "新增客户按地区"]
    sheet = book["新增客户按来源"]
    assert [c.value for c in sheet[1]] == ["来源", "数量"] and sheet[1][0].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 8
    assert {(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2)} == {("到店", 2), ("网络", 1)}


def test_never_overwrites_without_force_and_xlsx_needs_a_file(period_repo, tmp_path):
    target = tmp_path / "r.md"
    target.write_text("keep", encoding="utf-8")
    code, out, err = report(period_repo, "weekly", "--out", str(target))
    assert code == 2 and target.read_text(encoding="utf-8") == "keep"
    assert report(period_repo, "weekly", "--out", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8").startswith("# 周报")
    assert report(period_repo, "weekly", "--format", "xlsx")[0] == 2
    assert report(period_repo, "range", "--from", "2026-11-20")[0] == 2


def test_weekly_counts_the_intermediary_share(period_repo):
    customer(period_repo, "C2026-0015", "2026-11-17 09:00:00", "中介", "闵行区", "普通", 20)
    customer(period_repo, "C2026-0016", "2026-11-17 10:00:00", "老客户介绍, intermediary: true", "闵行区", "普通", 20)
    customer(period_repo, "C2026-0017", "2026-11-21 10:00:00", "中介", "闵行区", "普通", 20)  # next week
    document = json.loads(report(period_repo, "weekly", "--format", "json")[1])
    assert rows(document, "new_intermediary") == {"中介介绍": 2, "占新增客户（%）": 40.0}
