"""`kehu report`: expected counts are worked out by hand from the fixture below."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date

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
    assert book.sheetnames[:4] == ["概要", "图表-新增客户来源", "新增客户按来源", "新增客户按地区"]
    sheet = book["新增客户按来源"]
    assert [c.value for c in sheet[1]] == ["来源", "数量"] and sheet[1][0].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= 8
    assert {(r[0].value, r[1].value) for r in sheet.iter_rows(min_row=2)} == {("到店", 2), ("网络", 1)}


def test_never_overwrites_without_force(period_repo, tmp_path):
    target = tmp_path / "r.md"
    target.write_text("keep", encoding="utf-8")
    code, out, err = report(period_repo, "weekly", "--out", str(target))
    assert code == 2 and target.read_text(encoding="utf-8") == "keep"
    assert report(period_repo, "weekly", "--out", str(target), "--force")[0] == 0
    assert target.read_text(encoding="utf-8").startswith("# 周报")
    assert report(period_repo, "range", "--from", "2026-11-20")[0] == 2


def test_weekly_counts_the_intermediary_share(period_repo):
    customer(period_repo, "C2026-0015", "2026-11-17 09:00:00", "中介", "闵行区", "普通", 20)
    customer(period_repo, "C2026-0016", "2026-11-17 10:00:00", "老客户介绍, intermediary: true", "闵行区", "普通", 20)
    customer(period_repo, "C2026-0017", "2026-11-21 10:00:00", "中介", "闵行区", "普通", 20)  # next week
    document = json.loads(report(period_repo, "weekly", "--format", "json")[1])
    assert rows(document, "new_intermediary") == {"中介介绍": 2, "占新增客户（%）": 40.0}


def test_xlsx_without_out_goes_to_the_ignored_output_folder(period_repo):
    code, out, err = report(period_repo, "weekly", "--format", "xlsx")
    assert code == 0 and out == ""
    first = period_repo.root / "_exports" / "客户资源周报-2026-11-20.xlsx"
    assert str(first) in err and "_exports" in err and first.is_file()
    assert (period_repo.root / "_exports" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    code, out, err = report(period_repo, "weekly", "--format", "xlsx", "--lang", "en")  # never over the first
    second = period_repo.root / "_exports" / "客户资源周报-2026-11-20-2.xlsx"
    assert code == 0 and second.is_file() and f"wrote {second}" in err
    assert report(period_repo, "monthly", "--format", "xlsx", "--full")[0] == 0
    assert (period_repo.root / "_exports" / "客户资源月报-2026-10-不打码.xlsx").is_file()
    assert report(period_repo, "scorecard", "--format", "xlsx")[0] == 0
    assert (period_repo.root / "_exports" / "员工考核表-2026-10.xlsx").is_file()


# --- the weekly complaint log (客户投诉记录表) and satisfaction results -----------------------

LOG_HEADERS = ["投诉编号", "受理时间", "客户", "联系电话", "渠道", "类别", "投诉内容", "被投诉部门／员工", "处理人", "状态",
               "处理结果", "调查时限", "答复时限", "解决时限", "回访"]
HOSTILE = '=HYPERLINK("http://x.example","点我")<script>alert(1)</script> 客户新号码13912345678'


@pytest.fixture
def week_log(period_repo):
    repo = period_repo
    customer(repo, "C2026-0020", "2026-10-01 09:00:00", "到店", "闵行区", "普通", 20, "confidentiality: 机密\n")
    # received Tue 11-17 about a 机密 customer: shown by id, its text left out
    repo.write("records/complaints/2026/T2026-0002.yaml",
               "id: T2026-0002\ncustomer: C2026-0020\nreceived_at: 2026-11-17 10:00:00\nchannel: 到店\ncategory: 材料\n"
               "description: 瓷砖色差，客户说要找媒体\nhandler: zhouhui\nstatus: 已解决\ninvestigation_started_at: 2026-11-17 11:00:00\n"
               "replied_at: 2026-11-18 10:00:00\nresolved_at: 2026-11-19 10:00:00\nresolution: 更换瓷砖\n"
               "follow_up: {at: 2026-11-20 10:00:00, by: zhouhui, satisfied: false, comment: 还要赔偿}\n")
    # received Wed 11-18 against liuyang, with a hostile description; followed up the same week, satisfied
    repo.write("records/complaints/2026/T2026-0003.yaml",
               f"id: T2026-0003\ncustomer: C2026-0011\nreceived_at: 2026-11-18 09:00:00\nchannel: 网络\ncategory: 服务态度\n"
               f"description: '{HOSTILE}'\nagainst: {{department: 市场拓展部, staff: liuyang}}\nhandler: zhouhui\nstatus: 已关闭\n"
               "investigation_started_at: 2026-11-18 10:00:00\nreplied_at: 2026-11-19 10:00:00\nresolved_at: 2026-11-19 16:00:00\n"
               "resolution: 道歉\nfollow_up: {at: 2026-11-20 09:00:00, by: zhouhui, satisfied: true, comment: 满意}\n")
    # received the next week: not listed
    repo.write("records/complaints/2026/T2026-0004.yaml",
               "id: T2026-0004\ncustomer: C2026-0011\nreceived_at: 2026-11-20 18:00:00\nchannel: 网络\ncategory: 工期\n"
               "description: 又拖了\nhandler: zhouhui\nstatus: 受理\n")
    repo.visit(id="V2026-000200", customer="C2026-0012", at="2026-11-19 15:00:00", staff="zhouhui",
               extra="satisfaction: 3\n").write_text(
        (repo.root / "records/visits/2026/11/V2026-000200.yaml").read_text(encoding="utf-8").replace("type: 电话", "type: 满意度调查"),
        encoding="utf-8")
    repo.visit(id="V2026-000201", customer="C2026-0010", at="2026-11-18 15:00:00", staff="liuyang", extra="satisfaction: 5\n")
    return repo


def test_weekly_lists_each_complaint_of_the_week(week_log):
    document = json.loads(report(week_log, "weekly", "--format", "json")[1])
    log = document["tables"]["complaint_log"]
    assert log["title"] == "客户投诉记录表" and log["headers"] == LOG_HEADERS
    assert [row[0] for row in log["rows"]] == ["T2026-0001", "T2026-0002", "T2026-0003"]  # by time received
    first, secret, hostile = log["rows"]
    assert first == ["T2026-0001", "2026-11-16T09:00:00", "客户10（C2026-0010）", "137****0010", "电话", "工期", "开工推迟",
                     None, "周慧（zhouhui）", "已答复", None, "按时", "按时", "逾期未办", None]
    assert secret == ["T2026-0002", "2026-11-17T10:00:00", "C2026-0020", None, "到店", "材料", "（机密）", None,
                      "周慧（zhouhui）", "已解决", None, "按时", "按时", "按时", "不满意"]
    assert hostile[6] == HOSTILE.replace("13912345678", "139****5678")  # masked; markup stays for each format to escape
    assert hostile[7] == "市场拓展部／刘洋（liuyang）" and hostile[-1] == "满意"


def test_weekly_satisfaction_results(week_log):
    document = json.loads(report(week_log, "weekly", "--format", "json")[1])
    assert rows(document, "satisfaction") == {"满意度调查（次）": 1, "满意度评分（次）": 2, "平均评分（1–5）": 4.0,
                                              "评 4–5 分占比（%）": 50.0, "投诉回访（次）": 2, "回访满意（次）": 1,
                                              "投诉回访满意率（%）": 50.0}
    log = document["tables"]["satisfaction_log"]["rows"]
    assert [(r[0], r[3], r[4], r[5]) for r in log] == [
        ("2026-11-18T15:00:00", "电话", 5, None), ("2026-11-19T15:00:00", "满意度调查", 3, None),
        ("2026-11-20T09:00:00", "投诉回访（T2026-0003）", None, "满意"),
        ("2026-11-20T10:00:00", "投诉回访（T2026-0002）", None, "不满意")]
    assert log[3][1] == "C2026-0020" and log[3][6] is None  # 机密: no name, no comment
    assert document["summary"]["satisfaction_average"] == 4.0 and document["summary"]["follow_up_satisfied_rate"] == 50.0


def test_weekly_markdown_and_xlsx_show_the_hostile_description_as_text(week_log, tmp_path):
    code, out, err = report(week_log, "weekly")
    assert code == 0, err
    assert "## 客户投诉记录表" in out and "<script>" not in out and "&lt;script&gt;" in out
    assert "13912345678" not in out and "瓷砖色差" not in out
    target = tmp_path / "周报.xlsx"
    assert report(week_log, "weekly", "--format", "xlsx", "--out", str(target))[0] == 0
    sheet = load_workbook(target)["客户投诉记录表"]
    assert [c.value for c in sheet[1]] == LOG_HEADERS
    hostile = sheet["G4"]
    assert hostile.data_type == "s" and hostile.value.startswith("=HYPERLINK") and "139****5678" in hostile.value
    assert sheet["B2"].is_date and sheet["B2"].value.hour == 9 and sheet["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["D3"].value == "—"  # no phone shown for the 机密 customer


# --- the monthly analysis -------------------------------------------------------------------

def add(repo, id, registered, channel, stage="咨询", extra=""):
    repo.write(f"records/customers/{id[1:5]}/{id}.yaml",
               f"id: {id}\nname: 客户{id[-2:]}\nphones: ['137{id[1:5]}{id[-4:]}']\nsource: {{channel: {channel}}}\ngrade: B\n"
               f"stage: {stage}\nowner: liuyang\nregistered_at: {registered}\nregistered_by: liuyang\n{extra}")


def complaint(repo, id, customer_id, received, category):
    repo.write(f"records/complaints/{id[1:5]}/{id}.yaml",
               f"id: {id}\ncustomer: {customer_id}\nreceived_at: {received}\nchannel: 电话\ncategory: {category}\n"
               f"description: 问题\nhandler: zhouhui\nstatus: 已关闭\nreplied_at: {received}\nresolved_at: {received}\n"
               f"follow_up: {{at: {received}, by: zhouhui, satisfied: true}}\n")


def summarised(repo, id, customer_id, at, summary, kind="电话", extra=""):
    repo.write(f"records/visits/{at[:4]}/{at[5:7]}/{id}.yaml",
               f"id: {id}\ncustomer: {customer_id}\nat: {at}\nstaff: liuyang\ntype: {kind}\nsummary: {summary}\n{extra}")


@pytest.fixture
def months(repo):
    """October 2026 against September 2026 and October 2025."""
    add(repo, "C2026-0201", "2026-10-03 10:00:00", "到店")
    add(repo, "C2026-0202", "2026-10-15 10:00:00", "到店", "签约",
        "milestones: {contract_signed: 2026-10-20}\ncontract: {amount_wan: 40, signed_at: 2026-10-20}\n")
    add(repo, "C2026-0203", "2026-10-28 10:00:00", "网络", "流失")
    summarised(repo, "V2026-000301", "C2026-0203", "2026-10-29 10:00:00", "预算不够，放弃装修")
    add(repo, "C2026-0205", "2026-09-02 10:00:00", "展会", "流失")
    summarised(repo, "V2026-000302", "C2026-0205", "2026-10-08 10:00:00", "预算不够，放弃装修")
    add(repo, "C2026-0206", "2026-09-12 10:00:00", "到店", "流失")
    summarised(repo, "V2026-000303", "C2026-0206", "2026-09-20 10:00:00", "选了别家")
    summarised(repo, "V2026-000304", "C2026-0201", "2026-10-25 10:00:00", "满意度回访", "满意度调查", "satisfaction: 4\n")
    add(repo, "C2025-0101", "2025-10-10 10:00:00", "电话", "签约",
        "milestones: {contract_signed: 2025-10-25}\ncontract: {amount_wan: 20, signed_at: 2025-10-25}\n")
    complaint(repo, "T2026-0201", "C2026-0201", "2026-10-12 09:00:00", "工期")
    complaint(repo, "T2026-0202", "C2026-0202", "2026-10-13 09:00:00", "工期")
    complaint(repo, "T2026-0203", "C2026-0201", "2026-10-14 09:00:00", "材料")
    complaint(repo, "T2026-0204", "C2026-0206", "2026-09-14 09:00:00", "工期")
    complaint(repo, "T2025-0101", "C2025-0101", "2025-10-13 09:00:00", "服务态度")
    return repo


def test_monthly_compares_with_the_previous_month_and_last_year(months):
    code, out, err = report(months, "monthly", "--month", "2026-10", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    comparison = document["comparison"]
    assert comparison["previous"]["title"] == "月报 2026 年 09 月" and comparison["last_year"]["start"] == "2025-10-01T00:00:00"
    figures = {m["key"]: (m["current"], m["previous"], m["previous_change_pct"], m["last_year"], m["last_year_change_pct"])
               for m in comparison["measures"]}
    assert figures["new_customers"] == (3, 2, 50.0, 1, 200.0)
    assert figures["contract_amount_wan"] == (40, 0, None, 20, 100.0)  # no base: no percentage
    assert figures["complaints"] == (3, 1, 200.0, 1, 200.0)
    assert figures["visits"] == (3, 1, 200.0, 0, None)
    assert figures["lost"] == (2, 1, 100.0, 0, None)
    assert figures["satisfaction_average"] == (4.0, None, None, None, None)
    top = comparison["top_reasons"]
    assert [(r["name"], r["current"], r["previous"], r["last_year"]) for r in top["sources"]] == [
        ("到店", 2, 1, 0), ("网络", 1, 0, 0), ("展会", 0, 1, 0), ("电话", 0, 0, 1)]
    assert [(r["name"], r["current"], r["previous"], r["last_year"]) for r in top["complaint_categories"]] == [
        ("工期", 2, 1, 0), ("材料", 1, 0, 0), ("服务态度", 0, 0, 1)]
    assert [(r["name"], r["current"], r["previous"]) for r in top["lost_reasons"]] == [("预算不够，放弃装修", 2, 0), ("选了别家", 0, 1)]
    assert list(document["tables"])[:4] == ["comparison", "top_sources", "top_complaint_categories", "top_lost_reasons"]


def test_monthly_markdown_and_xlsx_of_the_comparison(months, tmp_path):
    code, out, err = report(months, "monthly", "--month", "2026-10")
    assert code == 0, err
    assert "| 合同金额（万元） | 40.0 | 0.0 | — | 20.0 | 100.0 |" in out and "| 新增客户（位） | 3 | 2 | 50.0 | 1 | 200.0 |" in out
    target = tmp_path / "月报.xlsx"
    assert report(months, "monthly", "--month", "2026-10", "--format", "xlsx", "--out", str(target))[0] == 0
    book = load_workbook(target)
    assert book.sheetnames[:4] == ["概要", "图表-新增客户来源", "图表-月度对比", "图表-产值"]
    assert "与上月、去年同月比较" in book.sheetnames and "客户投诉记录表" in book.sheetnames
    for name in book.sheetnames:  # Chinese sheet names and headers everywhere
        assert not any(ch.isascii() and ch.isalpha() for ch in name), name
        assert all(not str(c.value).isascii() for c in book[name][1] if c.value is not None), name
    overview = {row[0].value: row[1].value for row in book["概要"].iter_rows(min_row=2)}
    assert overview["新增客户（位）"] == 3 and overview["合同金额（万元）"] == 40 and overview["起始时间"].month == 10
    chart = book["图表-月度对比"]
    assert chart._charts and [c.value for c in chart[1]][:4] == ["指标", "本月", "上月", "去年同月"]
    assert [c.value for c in chart[2]][:4] == ["新增客户（位）", 3, 2, 1]
    comparison = book["与上月、去年同月比较"]
    assert [c.value for c in comparison[2]] == ["新增客户（位）", 3, 2, 50.0, 1, 200.0]
    assert comparison["D4"].value == "—"  # 合同金额 from 0


def test_monthly_choice_of_month(months):
    document = json.loads(report(months, "monthly", "--month", "current", "--format", "json")[1])
    assert document["period"]["title"] == "月报 2026 年 11 月（截至 11 月 20 日）"
    assert document["period"]["end"] == "2026-11-21T00:00:00"
    assert json.loads(report(months, "monthly", "--format", "json")[1])["period"]["title"] == "月报 2026 年 10 月"
    # in the month's last week, the month being presented at its last meeting (000 第四条), so far
    code, out, err = kehu("report", "monthly", "--format", "json", repo=months, today="2026-11-24")
    assert json.loads(out)["period"]["title"] == "月报 2026 年 11 月（截至 11 月 24 日）" and "--month 2026-10" in err
    code, out, err = kehu("report", "monthly", "--format", "json", repo=months, today="2026-11-23")
    assert json.loads(out)["period"]["title"] == "月报 2026 年 10 月" and err == ""
    assert report(months, "monthly", "--month", "2026-12")[0] == 2  # not begun
    assert report(months, "monthly", "--month", "2026-13")[0] == 2
    assert report(months, "weekly", "--month", "2026-10")[0] == 2


def test_xlsx_opens_in_libreoffice(months, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    target = tmp_path / "月报.xlsx"
    assert report(months, "monthly", "--month", "2026-10", "--format", "xlsx", "--out", str(target))[0] == 0
    profile = tmp_path / "profile"
    run = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "ods",
                          "--outdir", str(tmp_path), str(target)], capture_output=True, text=True, timeout=180)
    assert (tmp_path / "月报.ods").stat().st_size > 0, run.stderr


def test_the_site_shows_the_same_monthly_analysis(months, tmp_path):
    from kehu.check import Settings, run_check
    from kehu.site.pages import generate

    result = run_check(Settings(months.root, date(2026, 11, 27)))  # the month's last week: November so far
    generate(result.repo, result.findings, tmp_path / "pages", full=False)
    monthly = (tmp_path / "pages" / "reports" / "monthly.md").read_text(encoding="utf-8")
    assert monthly.startswith("# 月报 2026 年 11 月（截至 11 月 27 日）") and "<summary>与上月、去年同月比较（9 行）" in monthly
    assert "| 新增客户（位） | 1 | 3 | -66.7 | 0 | — |" in monthly  # C2026-0001 (11-10) against October's 3
    weekly = (tmp_path / "pages" / "reports" / "weekly.md").read_text(encoding="utf-8")
    assert "<summary>客户投诉记录表（" in weekly and "<summary>满意度结果（" in weekly  # folded under the charts
