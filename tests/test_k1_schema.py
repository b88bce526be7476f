"""K101: schema problems point at the field's own line and explain YAML's traps."""

from __future__ import annotations

from conftest import only

FILE = "records/customers/2026/C2026-0002.yaml"


def customer(**replace) -> str:
    lines = {
        "id": "C2026-0002", "name": "李强", "phones": "\n  - '13700001111'", "source": "\n  channel: 电话",
        "grade": "C", "stage": "咨询", "owner": "wangli", "registered_at": "2026-05-01 09:00:00",
        "registered_by": "wangli",
    }
    lines.update(replace)
    return "".join(f"{k}: {v}\n" for k, v in lines.items() if v is not None)


def one(repo, text):
    repo.write(FILE, text)
    found = only(repo.findings(), "K101")
    assert len(found) == 1, found
    return found[0]


def test_unquoted_phone_says_what_yaml_made_of_it(repo):
    f = one(repo, customer(phones="\n  - 13800138000"))
    assert (f["line"], f["column"]) == (4, 5)
    assert "数字" in f["message"] and "'13800138000'" in f["message"] and "引号" in f["message"]


def test_no_becomes_a_boolean(repo):
    f = one(repo, customer(name="no"))
    assert f["line"] == 2
    assert "布尔值 false" in f["message"] and "'no'" in f["message"]


def test_a_date_where_text_was_meant(repo):
    f = one(repo, customer(name="2026-03-04"))
    assert "日期" in f["message"] and "'2026-03-04'" in f["message"]


def test_english_message(repo):
    repo.write(FILE, customer(phones="\n  - 13800138000"))
    [f] = only(repo.findings("--lang", "en"), "K101")
    assert "YAML read 13800138000 as a number; quote it" in f["message"]


def test_enum_lists_the_choices(repo):
    f = one(repo, customer(grade="E"))
    assert f["line"] == 7
    assert "A、B、C、D" in f["message"]


def test_missing_required_field_names_it(repo):
    f = one(repo, customer(owner=None))
    assert "缺少必填字段 owner" in f["message"]


def test_nested_missing_field_points_at_its_parent(repo):
    f = one(repo, customer(source="\n  intermediary: true"))
    assert f["line"] == 5 and "channel" in f["message"]


def test_unknown_field_suggests_the_right_one(repo):
    f = one(repo, customer() + "phone: '13700001111'\n")
    assert f["line"] == 12 and f["column"] == 1
    assert "phones" in f["message"]


def test_bad_phone_format(repo):
    f = one(repo, customer(phones="\n  - '1380013800'"))
    assert f["line"] == 4 and "格式不对" in f["message"]


def test_impossible_date(repo):
    f = one(repo, customer(registered_at="2026-02-30 09:00:00"))
    assert f["line"] == 10 and "2026-02-30" in f["message"]


def test_several_problems_each_get_a_finding(repo):
    repo.write(FILE, customer(grade="E", stage="设计", phones="\n  - 13800138000"))
    lines = sorted(f["line"] for f in only(repo.findings(), "K101"))
    assert lines == [4, 7, 8]


def test_date_and_quoted_date_mean_the_same(repo):
    repo.write(FILE, customer(registered_at="'2026-05-01 09:00'"))
    assert not only(repo.findings(), "K101")


def test_bad_policy_value_is_a_k101(repo):
    repo.write("records/policy.yaml", "reclaim_after_days: sixty\n")
    [f] = only(repo.findings(), "K101")
    assert f["file"] == "records/policy.yaml" and f["line"] == 1


def test_visit_schema(repo):
    repo.visit(id="V2026-000002", extra="satisfaction: 9\n")
    [f] = only(repo.findings(), "K101")
    assert "satisfaction" in f["message"] and "5" in f["message"]


def test_staff_cannot_be_called_pool(repo):
    repo.staff("pool", "公海", "其他")
    [f] = only(repo.findings(), "K101")
    assert "保留" in f["message"]


def test_per_grade_table_reports_the_missing_grades(repo):
    repo.write("records/policy.yaml", "reclaim_after_days: {A: 90}\n")
    found = only(repo.run("K101"), "K101")
    expected = ["缺少必填字段 B（B 类）", "缺少必填字段 C（C 类）", "缺少必填字段 D（D 类）"]
    assert sorted(f["message"][-7:] for f in found) == sorted(m[-7:] for m in expected)
    assert all("应为整数" not in f["message"] for f in found)


def test_unquoted_off_is_one_finding_that_says_quote_it(repo):
    repo.write("records/policy.yaml", "rules: {K302: off}\n")
    [f] = only(repo.run("K101"), "K101")
    assert "'off'" in f["message"] and f["column"] == 15
