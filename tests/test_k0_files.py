"""K001-K004: files that cannot be read, and files in the wrong place."""

from __future__ import annotations

import time

from conftest import CUSTOMER_C0009, codes, only

GOOD = "records/customers/2026/C2026-0009.yaml"
VALID_BODY = CUSTOMER_C0009


def test_valid_repository_has_no_findings(repo):
    code, out, err = repo.check()
    assert code == 0, out + err
    assert "没有发现问题" in out


def test_k001_invalid_yaml_names_line_and_reason(repo):
    repo.write(GOOD, 'id: C2026-0009\nname: "李强\nphones: []\n')
    [f] = only(repo.findings(), "K001")
    assert f["file"] == GOOD
    assert f["line"] is not None and f["line"] >= 2
    assert "引号没有闭合" in f["message"]


def test_k001_tab_indentation_is_explained(repo):
    repo.write(GOOD, "id: C2026-0009\nsource:\n\tchannel: 电话\n")
    [f] = only(repo.findings(), "K001")
    assert f["line"] == 3
    assert "制表符" in f["message"]


def test_k001_alias_bomb_is_refused_quickly(repo):
    bomb = ["id: C2026-0009", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    repo.write(GOOD, "\n".join(bomb) + "\n")
    started = time.perf_counter()
    [f] = only(repo.findings(), "K001")
    assert time.perf_counter() - started < 10
    assert "炸弹" in f["message"]


def test_k001_unknown_tag_and_multiple_documents(repo):
    repo.write(GOOD, "id: !!python/object:os.system C2026-0009\n")
    repo.write("records/customers/2026/C2026-0010.yaml", "id: C2026-0010\n---\nid: C2026-0011\n")
    found = only(repo.findings(), "K001")
    assert {f["file"] for f in found} == {GOOD, "records/customers/2026/C2026-0010.yaml"}
    assert any("不支持的 YAML 标签" in f["message"] for f in found)
    assert any("多个文档" in f["message"] for f in found)


def test_k002_duplicate_key_is_reported_at_the_second_one(repo):
    repo.write(GOOD, VALID_BODY + "phones: ['13700002222']\n")
    findings = repo.findings()
    [f] = only(findings, "K002")
    assert f["line"] == 10 and f["column"] == 1
    assert "第 3 行" in f["message"]
    assert f["record"] is None or f["record"] == "C2026-0009"


def test_k003_gbk_file_is_named(repo):
    repo.write(GOOD, VALID_BODY.encode("gbk"))
    [f] = only(repo.findings(), "K003")
    assert "GBK" in f["message"]
    assert f["line"] == 2  # the first line with a non-ASCII byte: the name


def test_k003_utf16_is_named(repo):
    repo.write(GOOD, VALID_BODY.encode("utf-16"))
    [f] = only(repo.findings(), "K003")
    assert "UTF-16" in f["message"]


def test_k003_empty_list_and_scalar_files(repo):
    repo.write("records/customers/2026/C2026-0010.yaml", "")
    repo.write("records/customers/2026/C2026-0011.yaml", "# 只有注释\n")
    repo.write("records/customers/2026/C2026-0012.yaml", "- 王芳\n- 李强\n")
    repo.write("records/customers/2026/C2026-0013.yaml", "王芳\n")
    found = only(repo.findings(), "K003")
    messages = {f["file"].rsplit("/", 1)[1]: f["message"] for f in found}
    assert "空的" in messages["C2026-0010.yaml"] and "空的" in messages["C2026-0011.yaml"]
    assert "列表" in messages["C2026-0012.yaml"]
    assert "单个值" in messages["C2026-0013.yaml"]


def test_bom_and_crlf_are_accepted(repo):
    repo.write(GOOD, b"\xef\xbb\xbf" + VALID_BODY.replace("\n", "\r\n").encode("utf-8"))
    code, out, err = repo.check()
    assert code == 0, out


def test_k003_huge_file_is_refused_without_reading(repo):
    path = repo.root / GOOD
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"id: C2026-0009\nnotes: '")
        handle.write(b"x" * (50 * 1024 * 1024))
        handle.write(b"'\n")
    started = time.perf_counter()
    [f] = only(repo.findings(), "K003")
    assert time.perf_counter() - started < 15
    assert "过大" in f["message"] and "50.0 MB" in f["message"]


def test_k003_size_limit_comes_from_policy(repo):
    repo.write("records/policy.yaml", "max_file_kb: 1\n")
    repo.write(GOOD, VALID_BODY + "notes: '" + "很长的备注" * 300 + "'\n")
    [f] = only(repo.findings(), "K003")
    assert f["file"] == GOOD


def test_deep_nesting_is_refused(repo):
    repo.write(GOOD, "id: C2026-0009\nnotes: " + "[" * 200 + "]" * 200 + "\n")
    found = repo.findings()
    assert only(found, "K001"), found


def test_k004_file_name_must_match_id(repo):
    repo.write("records/customers/2026/C2026-0099.yaml", VALID_BODY)
    [f] = only(repo.findings(), "K004")
    assert f["record"] == "C2026-0009"
    assert "C2026-0009.yaml" in f["message"]
    assert f["line"] == 1


def test_k004_visit_in_the_wrong_month(repo):
    repo.visit(id="V2026-000002", at="2026-04-02 10:00:00", folder="2026/03")
    [f] = only(repo.findings(), "K004")
    assert "records/visits/2026/04" in f["message"]


def test_k004_customer_year_folder_and_id_year(repo):
    repo.write("records/customers/2025/C2026-0009.yaml", VALID_BODY)
    repo.write("records/customers/2026/C2025-0010.yaml", VALID_BODY.replace("C2026-0009", "C2025-0010"))
    found = only(repo.findings(), "K004")
    assert len(found) == 2
    by_file = {f["file"]: f["message"] for f in found}
    assert "records/customers/2026" in by_file["records/customers/2025/C2026-0009.yaml"]
    assert "C2026" in by_file["records/customers/2026/C2025-0010.yaml"]


def test_k004_datetime_with_offset_is_read_in_shanghai_time(repo):
    # 2025-12-31 20:00 UTC is 2026-01-01 04:00 in Shanghai: the 2026 folder is right
    repo.write(GOOD, VALID_BODY.replace("2026-05-01 09:00:00", "2025-12-31T20:00:00Z"))
    assert not only(repo.findings(), "K004")


def test_k004_unknown_location_and_yml_extension(repo):
    repo.write("records/misc/C2026-0009.yaml", VALID_BODY)
    repo.write("records/customers/2026/C2026-0010.yml", VALID_BODY.replace("C2026-0009", "C2026-0010"))
    messages = {f["file"]: f["message"] for f in only(repo.findings(), "K004")}
    assert ".yaml" in messages["records/customers/2026/C2026-0010.yml"]
    assert "应放在 records/customers/2026/" in messages["records/misc/C2026-0009.yaml"]


def test_k004_record_of_another_kind_in_a_folder(repo):
    repo.write("records/customers/2026/V2026-000009.yaml", "id: V2026-000009\n")
    found = repo.findings()
    assert any(f["code"] == "K004" and "回访" in f["message"] for f in found), codes(found)
