"""`kehu check` and `kehu rules` as a user drives them: formats, selection, exit codes."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import PROJECT, kehu

BAD_PHONE = "\nphones:\n  - 13800138000\n"


def broken(repo):
    """One error (K101) and one K201 in a visit."""
    repo.customer(id="C2026-0002", phone="13700002222", extra="notes: 老客户介绍\n")
    text = (repo.root / "records/customers/2026/C2026-0002.yaml").read_text(encoding="utf-8")
    repo.write("records/customers/2026/C2026-0002.yaml", text.replace("  - '13700002222'", "  - 13700002222"))
    repo.visit(id="V2026-000002", staff="liuyng")


def test_exit_1_on_errors_and_text_shows_source_with_caret(repo):
    broken(repo)
    code, out, err = repo.check()
    assert code == 1
    assert "records/customers/2026/C2026-0002.yaml:4:5: K101 错误 [C2026-0002]" in out
    lines = out.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("records/customers/2026/C2026-0002.yaml:4:5")))
    assert lines[at + 1] == "    4 |   - 13700002222"
    assert lines[at + 2] == "      |     ^"
    assert lines[-1].startswith("检查了 ") and "2 个错误" in lines[-1]


def test_caret_counts_chinese_characters_as_two_columns(repo):
    repo.customer(id="C2026-0002", phone="13700002222", extra="house: {type: 别墅, area_sqm: 大}\n")
    code, out, err = repo.check()
    lines = out.splitlines()
    source = next(text for text in lines if "area_sqm: 大" in text)
    caret = lines[lines.index(source) + 1]
    # two Chinese characters before the value: the caret sits two columns further right
    assert caret.index("^") == source.index("大") + 2


def test_warnings_only_exit_0_and_json_schema(repo):
    broken(repo)
    code, out, err = repo.check("--format", "json")
    document = json.loads(out)
    schema = json.loads((PROJECT / "schemas" / "check-output.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["summary"]["errors"] == 2
    assert document["summary"]["by_code"] == {"K101": 1, "K201": 1}
    assert all(not f["file"].startswith("/") and "\\" not in f["file"] for f in document["findings"])
    assert "检查了" in err  # the summary goes to stderr, stdout stays pure JSON


def test_select_and_ignore_by_code_and_prefix(repo):
    broken(repo)
    assert {f["code"] for f in repo.findings("--select", "K2")} == {"K201"}
    assert {f["code"] for f in repo.findings("--ignore", "K1")} == {"K201"}
    assert {f["code"] for f in repo.findings("--select", "K1,K201")} == {"K101", "K201"}
    # the more specific selector wins
    assert {f["code"] for f in repo.findings("--select", "K2", "--ignore", "K201")} == set()
    assert {f["code"] for f in repo.findings("--ignore", "K2", "--select", "K201")} == {"K201"}
    code, out, err = repo.check("--ignore", "K")
    assert code == 0


def test_policy_switches_rules_off_and_changes_severity(repo):
    broken(repo)
    repo.write("records/policy.yaml", "rules:\n  K201: warning\n  K1: 'off'\n")
    found = repo.findings()
    assert [(f["code"], f["severity"]) for f in found] == [("K201", "warning")]
    code, _, _ = repo.check()
    assert code == 0
    # the command line can still ask for a rule the policy turned off
    assert {f["code"] for f in repo.findings("--select", "K101")} == {"K101"}


def test_github_format(repo):
    broken(repo)
    code, out, err = repo.check("--format", "github")
    assert code == 1
    line = next(text for text in out.splitlines() if "K201" in text)
    assert line.startswith("::error file=records/visits/2026/11/V2026-000002.yaml,line=4,col=8,title=K201::")


def test_lang_en(repo):
    broken(repo)
    code, out, err = repo.check("--lang", "en")
    assert "no staff member liuyng" in out and "did you mean liuyang" in out
    assert out.splitlines()[-1].startswith("checked ")


def test_bad_options_exit_2_without_traceback(repo):
    for args in (["--format", "xml"], ["--select", "X12"], ["--today", "2026-13-01"]):
        code, out, err = kehu("check", "--repo", str(repo.root), *args)
        assert code == 2, args
        assert "Traceback" not in err


def test_no_repository_exit_2(tmp_path):
    code, out, err = kehu("check", cwd=tmp_path)
    assert code == 2 and "不是记录仓库" in err and "Traceback" not in err
    code, out, err = kehu("check", "--lang", "en", "--repo", str(tmp_path / "missing"))
    assert code == 2 and "no such folder" in err


def test_runs_from_a_subfolder(repo):
    code, out, err = kehu("check", "--today", "2026-11-20", cwd=repo.root / "records" / "customers")
    assert code == 0, out + err


def test_check_writes_nothing(repo):
    broken(repo)
    records = repo.root / "records"
    before = {p: p.read_bytes() for p in records.rglob("*") if p.is_file()}
    repo.check()
    after = {p: p.read_bytes() for p in records.rglob("*") if p.is_file()}
    assert before == after


def test_version_names_the_loader():
    code, out, err = kehu("--version")
    assert code == 0 and "C loader" in out


@pytest.mark.parametrize("code", ["K001", "K101", "K201"])
def test_rules_explains_one(code):
    status, out, err = kehu("rules", code)
    assert status == 0
    for section in ("它检查什么", "为什么", "出处", "错误示例", "正确示例"):
        assert f"## {section}" in out


def test_rules_lists_all_and_unknown_code_exits_2():
    status, out, err = kehu("rules")
    assert status == 0 and "K203" in out
    status, out, err = kehu("rules", "K999")
    assert status == 2


def test_reading_on_several_processes_gives_the_same_json_as_one(monkeypatch):
    """The demo's findings, lines and messages, read in one process and in several (cold, no cache)."""
    answers = []
    for processes in ("1", "2", "3"):
        monkeypatch.setenv("KEHU_JOBS", processes)
        code, out, err = kehu("check", "--no-cache", "--format", "json", repo=str(PROJECT))
        assert code == 1, err
        answers.append(out)
    assert json.loads(answers[0])["summary"]["files"] > 3000
    assert answers[1] == answers[0] and answers[2] == answers[0]
