"""`kehu import`: legacy registration sheets as people really keep them."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest
from openpyxl import Workbook

from conftest import kehu

HEADER = ["序号", "姓名", "联系电话", "登记时间", "业务员", "来源", "小区", "面积", "预算(万元)"]
ROWS = [
    [1, "陈晨", "13700001111", "2026年3月4日", "刘洋", "到店", "万科城市花园", "96", "18"],
    [2, "林琳", "137 0000 2222", "2026/3/5", "王丽", "朋友介绍", "绿地海珀", "120.5", "35"],
    [3, "赵东", "", "2026-03-06", "刘洋", "电话", "", "", ""],            # no phone
    [4, "钱多", "13700004444", "2026-03-07", "张三", "网络", "", "", ""],   # not staff
    [5, "孙悦", "13700005555", "三月七号", "刘洋", "网络", "", "", ""],     # unreadable date
    [6, "王芳", "139-1605-2231", "2026-03-08", "王丽", "网络", "", "", ""],  # 撞单 with C2026-0001
]


def kehu_import(repo, *args):
    return kehu("import", *args, repo=repo)


def write_csv(path, encoding, rows=ROWS, header=HEADER):
    text = "\r\n".join(",".join(str(c) for c in row) for row in [header] + rows) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def created(repo):
    return sorted(p.name for p in (repo.root / "records/customers/2026").glob("*.yaml"))


def test_dry_run_reports_every_row_and_writes_nothing(repo, tmp_path):
    before = created(repo)
    code, out, err = kehu_import(repo, str(write_csv(tmp_path / "登记表.csv", "utf-8-sig")))
    assert code == 1  # some rows are rejected
    assert "将新建 第 2 行：陈晨" in out and "将新建 第 3 行：林琳" in out
    assert "拒绝 登记表.csv 第 4 行：没有联系电话（这一格是空的）" in out
    assert "拒绝 登记表.csv 第 5 行：客户经理：没有员工 张三" in out
    assert "拒绝 登记表.csv 第 6 行：登记日期看不懂：'三月七号'" in out
    assert "撞单 第 7 行" in out and "C2026-0001" in out
    assert "将新建（预览" in err and created(repo) == before


def test_write_creates_valid_records_once(repo, tmp_path):
    sheet = write_csv(tmp_path / "登记表.csv", "gbk", rows=ROWS[:2])
    code, out, err = kehu_import(repo, str(sheet), "--write", "--by", "sunmin")
    assert code == 0, out + err
    assert created(repo) == ["C2026-0001.yaml", "C2026-0002.yaml", "C2026-0003.yaml"]
    text = (repo.root / "records/customers/2026/C2026-0003.yaml").read_text(encoding="utf-8")
    assert "name: 林琳" in text and "owner: wangli" in text and "channel: 老客户介绍" in text
    assert "area_sqm: 120.5" in text and "registered_at: 2026-03-05 00:00:00" in text
    assert repo.check("--select", "K0,K1,K2,K3")[0] == 0
    code, out, err = kehu_import(repo, str(sheet), "--write", "--by", "sunmin")
    assert code == 0 and "已新建 0 位客户" in err and "撞单跳过 2 行" in err
    assert len(created(repo)) == 3


def test_xlsx_with_title_row_numbers_and_serial_dates(repo, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "2026 年客户登记表"
    sheet.merge_cells("A1:E1")
    sheet.append(["客户姓名", "手机", "登记日期", "客户经理", "客户来源"])
    sheet.append(["陈晨", 13700001111, 46085, "liuyang", "到店"])              # Excel serial for 2026-03-04
    sheet.append(["林琳", 13700002222.0, datetime(2026, 3, 5, 14, 30), "王丽", "展销会"])
    sheet.append(["周舟", "13700003333", "2026年3月6日 10:15", "刘洋", "地推"])
    path = tmp_path / "登记表.xlsx"
    book.save(path)
    code, out, err = kehu_import(repo, str(path), "--write", "--by", "sunmin")
    assert code == 0, out + err
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (repo.root / "records/customers/2026").glob("*.yaml")}
    joined = "\n".join(texts.values())
    assert "'13700001111'" in joined and "registered_at: 2026-03-04 00:00:00" in joined
    assert "registered_at: 2026-03-05 14:30:00" in joined and "channel: 展会" in joined
    assert "registered_at: 2026-03-06 10:15:00" in joined and "原登记来源：地推" in joined


def test_map_overrides_a_column(repo, tmp_path):
    sheet = write_csv(tmp_path / "a.csv", "utf-8", rows=[["陈晨", "13700001111", "2026-03-04", "刘洋"]],
                      header=["姓名", "电话", "登记日期", "接待顾问"])
    code, out, err = kehu_import(repo, str(sheet))
    assert code == 1 and "没有客户经理" in out
    code, out, err = kehu_import(repo, str(sheet), "--map", "接待顾问=owner")
    assert code == 0 and "将新建 第 2 行：陈晨" in out
    assert "接待顾问" not in err  # taken in: nothing left to say about it


def test_unreadable_files_exit_2(repo, tmp_path):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a workbook")
    assert kehu_import(repo, str(bad))[0] == 2
    headless = write_csv(tmp_path / "h.csv", "utf-8", rows=[["1", "2"]], header=["甲", "乙"])
    code, out, err = kehu_import(repo, str(headless))
    assert code == 2 and "找不到表头" in err


def test_two_imports_at_once_get_distinct_ids(repo, tmp_path):
    sheets = []
    for n in range(2):
        rows = [[f"客{n}{i}", f"1370{n}00{i:04d}", "2026-03-04", "刘洋", "到店"] for i in range(5)]
        sheets.append(write_csv(tmp_path / f"s{n}.csv", "utf-8", rows=rows, header=["姓名", "电话", "登记日期", "业务员", "来源"]))
    processes = [subprocess.Popen([sys.executable, "-m", "kehu", "import", str(s), "--write", "--by", "sunmin", "--repo", str(repo.root),
                                   "--today", "2026-11-20"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for s in sheets]
    assert [p.wait() for p in processes] == [0, 0]
    files = created(repo)
    assert len(files) == 11 and len(set(files)) == 11
    names = sorted((repo.root / "records/customers/2026" / f).read_text(encoding="utf-8").split("name: ")[1].split("\n")[0]
                   for f in files if f != "C2026-0001.yaml")
    assert names == sorted(f"客{n}{i}" for n in range(2) for i in range(5))


# --- what a new user runs into (issue 16, point 6) -----------------------------------------

def xlsx(path, header, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def customer_files(repo):
    """{customer name: its record as YAML reads it} of every customer file."""
    import yaml

    records = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (repo.root / "records/customers").rglob("*.yaml")]
    return {r["name"]: r for r in records}


def test_grades_as_people_write_them_are_read_from_the_schema_vocabulary(repo, tmp_path):
    rows = [["陈一", "13700000001", "2026-03-04", "刘洋", "A类"], ["陈二", "13700000002", "2026-03-04", "刘洋", "A级"],
            ["陈三", "13700000003", "2026-03-04", "刘洋", "a"], ["陈四", "13700000004", "2026-03-04", "刘洋", "Ａ"],
            ["陈五", "13700000005", "2026-03-04", "刘洋", "B级客户"], ["陈六", "13700000006", "2026-03-04", "刘洋", " d "],
            ["陈七", "13700000007", "2026-03-04", "刘洋", ""]]
    sheet = write_csv(tmp_path / "登记表.csv", "utf-8", rows=rows, header=["姓名", "电话", "登记日期", "业务员", "客户等级"])
    code, out, err = kehu_import(repo, str(sheet), "--write", "--by", "sunmin")
    assert code == 0, out + err
    grades = {name: record["grade"] for name, record in customer_files(repo).items() if name != "王芳"}
    assert grades == {"陈一": "A", "陈二": "A", "陈三": "A", "陈四": "A", "陈五": "B", "陈六": "D", "陈七": "C"}
    # the one default is said, on the row it concerns
    assert "注意 登记表.csv 第 8 行：客户分级是空的，按新客户记为 C" in out
    assert out.count("客户分级是空的") == 1 and "其中 1 行有“注意”" in err


def test_a_grade_kehu_cannot_read_refuses_the_row_and_names_file_row_and_value(repo, tmp_path):
    rows = [["陈一", "13700000001", "2026-03-04", "刘洋", "甲类"], ["陈二", "13700000002", "2026-03-04", "刘洋", "A"]]
    sheet = write_csv(tmp_path / "老客户.csv", "gbk", rows=rows, header=["姓名", "电话", "登记日期", "业务员", "客户级别"])
    code, out, err = kehu_import(repo, str(sheet), "--write", "--by", "sunmin")
    assert code == 1
    assert "拒绝 老客户.csv 第 2 行：客户分级“甲类”看不懂：应为 A、B、C、D 之一" in out
    assert set(customer_files(repo)) == {"王芳", "陈二"}  # never written as C
    code, out, err = kehu_import(repo, str(sheet), "--lang", "en")
    assert "refused 老客户.csv row 2: grade “甲类” is not one of A, B, C, D" in out


@pytest.mark.parametrize("header", ["接待顾问", "置业顾问", "销售顾问"])
def test_an_unrecognised_owner_column_is_named_once_with_the_map_that_takes_it(repo, tmp_path, header):
    rows = [["陈晨", "13700001111", "2026-03-04", "刘洋", "陈静"], ["林琳", "13700002222", "2026-03-05", "王丽", "陈静"]]
    sheet = write_csv(tmp_path / "a.csv", "utf-8", rows=rows, header=["姓名", "电话", "登记日期", header, "设计师"])
    code, out, err = kehu_import(repo, str(sheet))
    assert code == 1
    assert err.count(f"--map {header}=owner") == 1  # said once, before the rows
    assert f"注意：“{header}”列没有认出来，未导入；它像是客户经理（必填：缺了它每一行都会被拒绝）：要导入它，加 --map {header}=owner" in err
    assert "注意：“设计师”列没有对应的字段，未导入" in err
    pointer = f"没有客户经理：表头里没有认出客户经理列（见开头的说明；“{header}”列像是它，加 --map {header}=owner）"
    assert f"拒绝 a.csv 第 2 行：{pointer}" in out and f"拒绝 a.csv 第 3 行：{pointer}" in out
    code, out, err = kehu_import(repo, str(sheet), "--lang", "en")
    assert f"column “{header}” was not recognised and is left out; it looks like the owner" in err
    assert "no owner column was recognised in the header (see the note above;" in out


def test_a_map_naming_a_column_the_header_lacks_cannot_run(repo, tmp_path):
    sheet = write_csv(tmp_path / "a.csv", "utf-8", rows=[["陈晨", "13700001111", "2026-03-04", "刘洋"]],
                      header=["姓名", "电话", "登记日期", "接待顾问"])
    code, out, err = kehu_import(repo, str(sheet), "--map", "接待员=owner")
    assert code == 2 and "--map 接待员=owner：表头里没有“接待员”这一列" in err


def test_a_second_phone_column_is_kept_not_dropped(repo, tmp_path):
    sheet = write_csv(tmp_path / "a.csv", "utf-8", rows=[["陈晨", "13700001111", "13700009999", "2026-03-04", "刘洋"]],
                      header=["姓名", "手机", "备用电话", "登记日期", "业务员"])
    code, out, err = kehu_import(repo, str(sheet), "--write", "--by", "sunmin")
    assert code == 0, out + err
    assert "备用电话" in err and "--map 备用电话=phones" in err  # left out unless mapped: it says so
    code, out, err = kehu_import(repo, str(write_csv(tmp_path / "b.csv", "utf-8", rows=[["林琳", "13700002222", "13700003333",
                                                                                             "2026-03-04", "刘洋"]],
                                                     header=["姓名", "手机", "备用电话", "登记日期", "业务员"])),
                                 "--map", "备用电话=phones", "--write", "--by", "sunmin")
    assert code == 0, out + err
    assert customer_files(repo)["林琳"]["phones"] == ["13700002222", "13700003333"]


def test_phones_a_spreadsheet_mangled_get_spreadsheet_advice(repo, tmp_path):
    path = xlsx(tmp_path / "登记表.xlsx", ["客户姓名", "手机", "登记日期", "客户经理"], [
        ["陈晨", 1.38e10, "2026-03-04", "刘洋"],        # a 1.38E+10 cell: the last digits are gone
        ["林琳", 2164381234, "2026-03-05", "刘洋"],     # 021-64381234 stored as a number: the 0 is gone
        ["周舟", 13700003333.0, "2026-03-06", "刘洋"],  # a number with every digit: fine
    ])
    code, out, err = kehu_import(repo, str(path))
    assert code == 1
    assert ("拒绝 登记表.xlsx 第 2 行：联系电话单元格是数字 1.38E+10（13800000000），末尾一串 0：号码在表格里变成了科学计数法，"
            "后几位已经丢了；在 Excel/WPS 里把这一列设成“文本”格式") in out
    assert "拒绝 登记表.xlsx 第 3 行：联系电话 2164381234 开头的 0 丢了（表格把号码存成了数字），应为 02164381234；" in out
    assert "将新建 第 4 行：周舟，137****3333" in out
    assert "引号" not in out + err  # YAML's advice means nothing in Excel
    csv_file = write_csv(tmp_path / "b.csv", "utf-8", rows=[["陈晨", "1.38E+10", "2026-03-04", "刘洋"],
                                                           ["林琳", "8654321", "2026-03-05", "刘洋"]],
                         header=["姓名", "电话", "登记日期", "业务员"])
    code, out, err = kehu_import(repo, str(csv_file), "--lang", "en")
    assert "refused b.csv row 2: the phone “1.38E+10” is in scientific notation" in out
    assert "set the column's format to Text" in out
    assert "refused b.csv row 3: the phone “8654321” is neither a mobile number" in out
    assert "quote" not in out + err


def test_check_keeps_the_yaml_advice_for_the_same_mistake_in_a_record(repo):
    repo.customer(id="C2026-0002", name="李四", phone="13700002222")
    path = repo.root / "records/customers/2026/C2026-0002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("'13700002222'", "13700002222"), encoding="utf-8")
    code, out, err = repo.check("--select", "K1")
    assert code == 1 and "请加引号" in out


def test_an_owner_who_has_left_is_refused_unless_allowed_and_then_warned(repo, tmp_path):
    repo.staff("zhaoqiang", "赵强", "客户经理", active=False, extra="left: 2026-05-06\n")
    repo.staff("qianli", "钱力", "客户经理", extra="left: 2026-10-31\n")    # left, the file not yet switched off
    repo.staff("sunyue", "孙越", "客户经理", extra="left: 2026-12-31\n")    # leaves next month: still here
    rows = [["陈一", "13700000001", "2026-03-04", "赵强"], ["陈二", "13700000002", "2026-03-04", "qianli"],
            ["陈三", "13700000003", "2026-03-04", "孙越"], ["陈四", "13700000004", "2026-03-04", "刘阳"]]
    sheet = write_csv(tmp_path / "a.csv", "utf-8", rows=rows, header=["姓名", "电话", "登记日期", "客户经理"])
    code, out, err = kehu_import(repo, str(sheet))
    assert code == 1
    assert ("拒绝 a.csv 第 2 行：客户经理：赵强（zhaoqiang）已离职（2026-05-06），不能再接手；请选一位在职员工"
            "（或加 --allow-left 照原样导入，再用 kehu pool --assign 重新分配）") in out
    assert "拒绝 a.csv 第 3 行：客户经理：钱力（qianli）已离职（2026-10-31）" in out
    assert "将新建 第 4 行：陈三" in out
    assert "拒绝 a.csv 第 5 行：客户经理：没有员工 刘阳；是不是 liuyang（刘洋）？" in out
    code, out, err = kehu_import(repo, str(sheet), "--allow-left", "--write", "--by", "sunmin")
    assert code == 1  # the unknown owner is still refused
    assert "注意 a.csv 第 2 行：客户经理赵强（zhaoqiang）已离职（2026-05-06）：按 --allow-left 照原样导入" in out
    assert "注意 a.csv 第 3 行：客户经理钱力（qianli）已离职（2026-10-31）" in out
    owners = {name: record["owner"] for name, record in customer_files(repo).items()}
    assert owners == {"王芳": "liuyang", "陈一": "zhaoqiang", "陈二": "qianli", "陈三": "sunyue"}


def test_hostile_cells_are_text_or_refused_never_run(repo, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["客户姓名", "手机", "登记日期", "客户经理", "备注"])
    sheet.append(["<script>alert(1)</script>", "13700001111", "2026-03-04", "刘洋", "<b>重要</b>"])
    sheet.append(["林琳", "13700002222", "2026-03-05", "刘洋", "x"])
    sheet["A3"] = '=HYPERLINK("http://evil.example","点我")'   # a formula no program has computed
    sheet.append(["周舟", "13700003333", "=DATE(2026,3,6)", "刘洋", ""])
    path = tmp_path / "登记表.xlsx"
    book.save(path)
    code, out, err = kehu_import(repo, str(path), "--write", "--by", "sunmin")
    assert code == 1
    assert "拒绝 登记表.xlsx 第 3 行：“客户姓名”这一格是公式 =HYPERLINK(" in out and "选择性粘贴 → 数值" in out
    assert "拒绝 登记表.xlsx 第 4 行：“登记日期”这一格是公式 =DATE(2026,3,6)" in out
    records = customer_files(repo)
    assert set(records) == {"王芳", "<script>alert(1)</script>"}
    assert records["<script>alert(1)</script>"]["notes"] == "<b>重要</b>"
    # a formula typed into a CSV is text, kept as written; the export writes it as text again
    sheet = write_csv(tmp_path / "c.csv", "utf-8", rows=[["=1+2", "13700004444", "2026-03-04", "刘洋"]],
                      header=["姓名", "电话", "登记日期", "业务员"])
    assert kehu_import(repo, str(sheet), "--write", "--by", "sunmin")[0] == 0
    assert "=1+2" in customer_files(repo)
    assert kehu("export", "--format", "csv", "--out", str(tmp_path / "out.csv"), repo=repo)[0] == 0
    assert "'=1+2" in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")


def test_values_outside_the_vocabulary_are_kept_in_notes_and_said(repo, tmp_path):
    rows = [["陈晨", "13700001111", "2026-03-04", "刘洋", "地推", "三室两厅", "96㎡", "18万", "女士"],
            ["林琳", "13700002222", "2026-03-05", "刘洋", "", "别墅", "约 260 平米", "35", "男"],
            ["周舟", "13700003333", "2026-03-06", "刘洋", "到店", "", "100", "50-80万", ""]]
    sheet = write_csv(tmp_path / "a.csv", "utf-8", rows=rows,
                      header=["姓名", "电话", "登记日期", "业务员", "来源", "户型", "面积（㎡）", "预算（万元）", "性别"])
    code, out, err = kehu_import(repo, str(sheet), "--write", "--by", "sunmin")
    assert code == 1
    records = customer_files(repo)
    chen, lin = records["陈晨"], records["林琳"]
    assert chen["source"] == {"channel": "其他"} and chen["house"] == {"area_sqm": 96} and chen["budget_wan"] == 18
    assert chen["gender"] == "女" and chen["notes"] == "原登记来源：地推；原登记房屋类型：三室两厅"
    assert "注意 a.csv 第 2 行：来源“地推”不在可选范围内，记为“其他”，原文写进备注" in out
    assert "注意 a.csv 第 2 行：房屋类型“三室两厅”不在可选范围内" in out
    assert lin["house"] == {"type": "别墅", "area_sqm": 260} and lin["source"] == {"channel": "其他"}
    assert "注意 a.csv 第 3 行：来源是空的，记为“其他”" in out
    assert "拒绝 a.csv 第 4 行：预算“50-80万”不是一个数：请填一个数（单位万元），范围或说明写进备注" in out
    assert "周舟" not in records  # never 5080 万


def test_a_default_for_a_whole_missing_column_is_said_once_before_the_rows(repo, tmp_path):
    rows = [["陈晨", "13700001111", "2026-03-04", "刘洋", "A"], ["林琳", "13700002222", "2026-03-05", "刘洋", "B"]]
    sheet = write_csv(tmp_path / "a.csv", "utf-8", rows=rows, header=["姓名", "电话", "登记日期", "业务员", "意向等级"])
    code, out, err = kehu_import(repo, str(sheet))
    assert code == 0
    assert ("注意：“意向等级”列没有认出来，未导入；它像是客户分级（不导入的话每位客户都记为 C）：要导入它，加 --map 意向等级=grade"
            in err)
    assert "注意：表头里没有客户来源列：每位客户都记为 其他" in err
    assert "注意 a.csv" not in out  # said once above, not on every row
    code, out, err = kehu_import(repo, str(sheet), "--map", "意向等级=grade", "--write", "--by", "sunmin")
    assert code == 0 and "意向等级" not in err
    assert {n: r["grade"] for n, r in customer_files(repo).items()} == {"王芳": "B", "陈晨": "A", "林琳": "B"}
