"""Sealed records (issue 18): values sealed with real age keys made here, a clone that holds
only ciphertext, readers who can open it, and hostile sealed values that give findings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pyrage import x25519

from conftest import EMAIL, STAFF, git, kehu, pr_commit, pr_git, pr_review
from kehu import sealing

SECRET_PHONE = "13916052231"
SECRET_NAME = "诸葛青云"
FILE = "records/customers/2026/C2026-0001.yaml"


class Keys:
    """An age identity per staff member and one for CI, written to files like age-keygen's."""

    def __init__(self, folder):
        self.folder = folder
        folder.mkdir(exist_ok=True)
        self.identity = {who: x25519.Identity.generate() for who in (*STAFF, "ci", "stranger")}

    def public(self, who: str) -> str:
        return str(self.identity[who].to_public())

    def file(self, who: str):
        path = self.folder / f"{who}.txt"
        path.write_text(f"# created: 2026-11-20\n# public key: {self.public(who)}\n{self.identity[who]}\n")
        return path


@pytest.fixture
def keys(tmp_path) -> Keys:
    return Keys(tmp_path / "keys")


@pytest.fixture
def sealed_repo(repo, keys):
    """The fixture repository with sealing on: every staff member has a key, the customer is 机密."""
    for staff_id, (name, role, dept) in STAFF.items():
        repo.staff(staff_id, name, role, dept, extra=f"age_recipient: {keys.public(staff_id)}\n")
    repo.write("records/policy.yaml", f"reclaim_after_days: 60\nsealing:\n  ci_recipient: {keys.public('ci')}\n")
    repo.customer(name=SECRET_NAME, phone=SECRET_PHONE, extra="confidentiality: 机密\nnotes: 客户周末才有空\n")
    return repo


def run_as(who, keys, *args, repo, today="2026-11-20"):
    env = dict(os.environ)
    env.pop(sealing.IDENTITY_ENV, None)
    if who is not None:
        env[sealing.IDENTITY_ENV] = str(keys.file(who))
    extra = ["--repo", str(repo if isinstance(repo, Path) else repo.root), *(["--today", today] if today else [])]
    done = subprocess.run([sys.executable, "-m", "kehu", *args, *extra], capture_output=True, text=True, env=env)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


# --- the core: seal, recognise, open --------------------------------------------------------

def test_a_sealed_value_is_one_yaml_string_that_opens_only_for_its_recipients(keys):
    sealed = sealing.seal(["13916052231"], [keys.public("ci"), keys.public("liuyang")], "C2026-0001", "phones")
    assert sealing.is_sealed(sealed) and "\n" not in sealed
    assert SECRET_PHONE not in sealed
    import re

    assert re.fullmatch(sealing.SEALED_PATTERN, sealed)
    opened = sealing.open_value(sealed, [keys.identity["liuyang"]])
    assert opened.value == ["13916052231"] and opened.record_id == "C2026-0001" and opened.field == "phones"
    assert sorted(opened.to) == sorted([keys.public("ci"), keys.public("liuyang")])
    assert sealing.stanzas(sealed) == ["X25519", "X25519"]
    with pytest.raises(sealing.Unreadable) as stranger:
        sealing.open_value(sealed, [keys.identity["stranger"]])
    assert not stranger.value.malformed
    with pytest.raises(sealing.Unreadable) as broken:
        sealing.open_value("age:v1:bm90IGFuIGFnZSBmaWxl", [keys.identity["liuyang"]])
    assert broken.value.malformed


def test_policy_says_which_fields_and_whom(sealed_repo, keys):
    from conftest import TODAY
    from kehu.check import prepare

    repo = prepare(sealed_repo.root, TODAY)
    customer = repo.ids("customer")["C2026-0001"]
    wanted = sealing.demand(repo, customer)
    assert set(wanted.fields) == {"name", "phones", "notes"}  # of 机密's defaults, the ones it has
    assert wanted.recipients[0] == keys.public("ci")  # CI first: it opens the most values
    assert set(wanted.recipients) == {keys.public(w) for w in ("ci", "liuyang", "sunmin")}  # owner + 市场总监
    assert wanted.missing == ()


def test_schemas_accept_a_sealed_string_only_where_a_field_is_sealable(sealed_repo, keys):
    sealed = sealing.seal("B", [keys.public("ci")], "C2026-0001", "grade")
    text = (sealed_repo.root / FILE).read_text().replace("grade: B", f"grade: {sealed}")
    sealed_repo.write(FILE, text)
    findings = sealed_repo.run("K101")
    assert [f["code"] for f in findings] == ["K101"]  # grade is not sealable: the rules need it
    district = sealing.seal("闵行区", [keys.public("ci")], "C2026-0001", "district")
    text = text.replace(f"grade: {sealed}", "grade: B").replace("district: 闵行区", f"district: {district}")
    sealed_repo.write(FILE, text)
    assert sealed_repo.run("K101") == []


# --- kehu seal / kehu unseal / kehu pool --assign ------------------------------------------------

ORIGINAL = """\
# yaml-language-server: $schema=../../../schemas/customer.schema.json
id: C2026-0001
name: "诸葛青云"   # 先生
phones:
  - '13916052231'   # 本人
  - '021-64381234'
source: {channel: 到店}
grade: B
stage: 咨询
owner: liuyang
registered_at: 2026-11-10 10:30:00
registered_by: liuyang
confidentiality: 机密
notes: |
  客户周末才有空
  老家电话 13800001111
"""


def test_seal_changes_only_the_sealed_values_and_a_second_run_changes_nothing(sealed_repo, keys):
    path = sealed_repo.write(FILE, ORIGINAL)
    code, out, err = run_as("liuyang", keys, "seal", repo=sealed_repo)
    assert code == 0, err
    assert "已加密 3 个值" in err
    after = path.read_text(encoding="utf-8")
    lines = after.splitlines()
    assert lines[0] == ORIGINAL.splitlines()[0]  # the modeline, the comments elsewhere, key order: kept
    assert [line.split(":", 1)[0] for line in lines] == ["# yaml-language-server", "id", "name", "phones", "source", "grade",
                                                         "stage", "owner", "registered_at", "registered_by",
                                                         "confidentiality", "notes"]
    for kept in ("source: {channel: 到店}", "grade: B", "owner: liuyang", "registered_at: 2026-11-10 10:30:00"):
        assert kept in lines
    for secret in (SECRET_PHONE, SECRET_NAME, "64381234", "13800001111", "本人", "周末"):
        assert secret not in after
    assert not list(path.parent.glob(".*.tmp"))
    again = run_as("liuyang", keys, "seal", repo=sealed_repo)
    assert again[0] == 0 and "没有需要加密的值" in again[2]
    assert path.read_text(encoding="utf-8") == after  # idempotent, byte for byte
    without_key = run_as(None, keys, "seal", repo=sealed_repo)
    assert without_key[0] == 0 and path.read_text(encoding="utf-8") == after


def test_seal_refuses_when_a_reader_has_no_age_recipient(sealed_repo, keys):
    sealed_repo.staff("sunmin", "孙敏", "市场总监", "市场推广中心")  # the director, without a key
    path = sealed_repo.write(FILE, ORIGINAL)
    code, out, err = run_as("liuyang", keys, "seal", repo=sealed_repo)
    assert code == 1 and "sunmin" in err and "age_recipient" in err
    assert path.read_text(encoding="utf-8") == ORIGINAL


def test_seal_is_off_until_policy_names_a_ci_recipient(repo, keys):
    path = repo.customer(name=SECRET_NAME, phone=SECRET_PHONE, extra="confidentiality: 机密\n")
    before = path.read_bytes()
    code, out, err = run_as("liuyang", keys, "seal", repo=repo)
    assert code == 0 and "ci_recipient" in err and path.read_bytes() == before


def test_unseal_shows_the_record_to_a_reader_only(sealed_repo, keys):
    sealed_repo.write(FILE, ORIGINAL)
    assert run_as("liuyang", keys, "seal", repo=sealed_repo)[0] == 0
    for reader in ("liuyang", "sunmin", "ci"):
        code, out, err = run_as(reader, keys, "unseal", "C2026-0001", repo=sealed_repo)
        assert code == 0, err
        assert SECRET_NAME in out and SECRET_PHONE in out and "13800001111" in out
        assert "grade: B" in out
    code, out, err = run_as("wangli", keys, "unseal", "C2026-0001", repo=sealed_repo)  # another salesperson
    assert code == 1 and SECRET_PHONE not in out and SECRET_NAME not in out and "打不开" in err
    code, out, err = run_as(None, keys, "unseal", "C2026-0001", repo=sealed_repo)
    assert code == 2 and "KEHU_AGE_IDENTITY" in err
    code, out, err = run_as("liuyang", keys, "unseal", "C2026-9999", repo=sealed_repo)
    assert code == 2 and "C2026-9999" in err


def test_pool_assign_reseals_to_the_new_owner(sealed_repo, keys):
    sealed_repo.write(FILE, ORIGINAL)
    assert run_as("liuyang", keys, "seal", repo=sealed_repo)[0] == 0
    code, out, err = run_as("sunmin", keys, "pool", "--assign", "C2026-0001", "--to", "wangli", "--by", "sunmin",
                            repo=sealed_repo)
    assert code == 0, err
    assert run_as("liuyang", keys, "unseal", "C2026-0001", repo=sealed_repo)[0] == 1  # the old owner: no more
    code, out, err = run_as("wangli", keys, "unseal", "C2026-0001", repo=sealed_repo)
    assert code == 0 and SECRET_PHONE in out and "owner: wangli" in out
    text = (sealed_repo.root / FILE).read_text(encoding="utf-8")
    assert "owner: wangli" in text and SECRET_PHONE not in text


def test_pool_assign_refuses_without_a_key_that_opens_the_record(sealed_repo, keys):
    sealed_repo.write(FILE, ORIGINAL)
    assert run_as("liuyang", keys, "seal", repo=sealed_repo)[0] == 0
    before = (sealed_repo.root / FILE).read_bytes()
    for who in (None, "wangli"):
        code, out, err = run_as(who, keys, "pool", "--assign", "C2026-0001", "--to", "wangli", "--by", "sunmin",
                                repo=sealed_repo)
        assert code == 1, err
        assert (sealed_repo.root / FILE).read_bytes() == before


# --- partial sight, K301 / K806 / K811 ---------------------------------------------------------

def seal_as(repo, keys, who="liuyang"):
    code, out, err = run_as(who, keys, "seal", repo=repo)
    assert code == 0, err


def test_k301_across_sealed_records_needs_the_ci_key(sealed_repo, keys):
    sealed_repo.customer(id="C2026-0002", name="欧阳明", phone=SECRET_PHONE, owner="wangli",
                         registered_at="2026-11-12 10:00:00", extra="confidentiality: 机密\n")
    seal_as(sealed_repo, keys)
    for path in (sealed_repo.root / "records/customers/2026").glob("*.yaml"):
        assert SECRET_PHONE not in path.read_text(encoding="utf-8")
    code, out, err = run_as(None, keys, "check", "--format", "json", "--select", "K301", repo=sealed_repo)
    assert code == 0 and json.loads(out)["findings"] == []
    assert "个加密字段打不开" in err and "撞单" in err  # says what it could not compare
    code, out, err = run_as("ci", keys, "check", "--format", "json", "--select", "K301", repo=sealed_repo)
    found = json.loads(out)["findings"]
    assert code == 1 and [f["code"] for f in found] == ["K301"], err
    assert "打不开" not in err
    assert SECRET_PHONE not in out  # masked in the message, as before
    for cached in (sealed_repo.root / ".kehu-cache").rglob("*"):  # what CI opened is never cached
        assert not cached.is_file() or SECRET_PHONE.encode() not in cached.read_bytes(), cached


def test_without_a_key_every_command_works_on_what_it_can_read(sealed_repo, keys, tmp_path):
    sealed_repo.visit(id="V2026-000002", at="2026-11-13 14:00:00")
    seal_as(sealed_repo, keys)
    runs = {
        "check": ("check",),
        "report": ("report", "range", "--from", "2026-11-01", "--to", "2026-11-20", "--format", "json"),
        "report full": ("report", "weekly", "--full", "--format", "json"),
        "export": ("export", "--format", "csv", "--out", str(tmp_path / "out.csv")),
        "todo": ("todo", "--format", "json"),
        "pool": ("pool", "--format", "json"),
        "codeowners": ("codeowners",),
    }
    for label, args in runs.items():
        code, out, err = run_as(None, keys, *args, repo=sealed_repo)
        assert code in (0, 1), (label, err)
        assert SECRET_PHONE not in out and SECRET_NAME not in out, label
    assert SECRET_NAME not in (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    code, out, err = run_as(None, keys, "new", "customer", "--name", "新客户", "--phone", "13700009999",
                            "--channel", "到店", "--grade", "C", "--registered-by", "wangli", repo=sealed_repo)
    assert code == 0, err
    assert "1 位客户的电话已加密" in err


def test_kehu_new_does_not_echo_another_owners_customer_name(repo):
    repo.customer(name=SECRET_NAME, phone=SECRET_PHONE, extra="confidentiality: 机密\n")
    code, out, err = kehu("new", "customer", "--name", "张三", "--phone", SECRET_PHONE, "--channel", "到店",
                          "--grade", "C", "--registered-by", "wangli", repo=repo)
    assert code == 1 and "撞单" in err and "C2026-0001" in err
    assert SECRET_NAME not in err + out


def test_new_finds_a_collision_with_a_sealed_phone_when_it_holds_a_key(sealed_repo, keys):
    seal_as(sealed_repo, keys)
    args = ("new", "customer", "--name", "张三", "--phone", SECRET_PHONE, "--channel", "到店", "--grade", "C",
            "--registered-by", "liuyang")
    code, out, err = run_as("liuyang", keys, *args, repo=sealed_repo)
    assert code == 1 and "撞单" in err and SECRET_NAME not in err


def test_hostile_sealed_values_give_findings_not_tracebacks(sealed_repo, keys):
    path = sealed_repo.root / FILE
    stranger_sealed = sealing.seal([SECRET_PHONE], [keys.public("stranger")], "C2026-0001", "phones")
    cases = {
        "malformed": "age:v1:!!!not base64",
        "not age": "age:v1:" + "QUFBQQ==",
        "truncated": sealing.seal("x", [keys.public("ci")], "C2026-0001", "name")[:120],
        "stranger": stranger_sealed,
    }
    for label, value in cases.items():
        sealed_repo.write(FILE, ORIGINAL.replace('name: "诸葛青云"   # 先生', f"name: '{value}'")
                          .replace("phones:\n  - '13916052231'   # 本人\n  - '021-64381234'\n", f"phones: '{value}'\n"))
        for who in (None, "ci", "liuyang"):
            code, out, err = run_as(who, keys, "check", "--format", "json", repo=sealed_repo)
            assert code in (0, 1), (label, who, err)
            json.loads(out)
            code, out, err = run_as(who, keys, "unseal", "C2026-0001", repo=sealed_repo)
            assert code in (1, 2), (label, who, err)
            assert "打不开" in err or "KEHU_AGE_IDENTITY" in err, (label, who, err)
        assert path.exists()


@pytest.fixture
def sealed_history(sealed_repo, keys):
    """The sealed repository as main (staff with git identities and keys), and a branch."""
    for staff_id, (name, role, dept) in STAFF.items():
        sealed_repo.staff(staff_id, name, role, dept, extra=f"age_recipient: {keys.public(staff_id)}\n"
                          f"git:\n  emails: ['{EMAIL.format(staff_id)}']\n  handle: gh-{staff_id}\n")
    seal_as(sealed_repo, keys)
    pr_git(sealed_repo.root, "init", "-q")
    pr_commit(sealed_repo.root, "records", author="sunmin", when="2026-11-10T12:00:00+08:00")
    pr_git(sealed_repo.root, "checkout", "-q", "-b", "change")
    return sealed_repo


def test_k811_a_field_in_the_clear(sealed_history, keys, monkeypatch):
    monkeypatch.delenv(sealing.IDENTITY_ENV, raising=False)
    sealed_history.customer(id="C2026-0003", name="上官飞燕", phone="13512345678", registered_at="2026-11-18 09:00:00",
                            extra="confidentiality: 机密\n")
    pr_commit(sealed_history.root, "new customer in the clear")
    code, document = pr_review(sealed_history, "--select", "K811")
    assert code == 1 and len([f for f in document["findings"] if f["code"] == "K811"]) == 2  # name, phones
    seal_as(sealed_history, keys)
    pr_commit(sealed_history.root, "sealed", when="2026-11-18T10:05:00+08:00")
    code, document = pr_review(sealed_history, "--select", "K811")
    assert code == 0 and document["findings"] == []
    monkeypatch.setenv(sealing.IDENTITY_ENV, str(keys.file("ci")))
    code, document = pr_review(sealed_history, "--select", "K811")
    assert code == 0 and document["findings"] == []


def test_k811_sealed_to_a_reader_policy_does_not_allow(sealed_history, keys, monkeypatch):
    path = sealed_history.root / FILE
    text = path.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith("phones: "))
    readers = [keys.public(w) for w in ("ci", "liuyang", "sunmin", "wangli")]  # wangli is not a reader
    path.write_text(text.replace(line, "phones: " + sealing.seal([SECRET_PHONE], readers, "C2026-0001", "phones")),
                    encoding="utf-8")
    pr_commit(sealed_history.root, "a colleague added")
    monkeypatch.delenv(sealing.IDENTITY_ENV, raising=False)
    code, document = pr_review(sealed_history, "--select", "K811")
    assert code == 1 and "4 个收件人" in document["findings"][0]["message"]  # counted without a key
    monkeypatch.setenv(sealing.IDENTITY_ENV, str(keys.file("ci")))
    code, document = pr_review(sealed_history, "--select", "K811")
    messages = " ".join(f["message"] for f in document["findings"])
    assert code == 1 and "wangli" in messages


def test_k811_a_value_copied_from_another_record_or_malformed(sealed_history, keys, monkeypatch):
    path = sealed_history.root / FILE
    text = path.read_text(encoding="utf-8")
    name_line = next(line for line in text.splitlines() if line.startswith("name: "))
    notes_line = next(line for line in text.splitlines() if line.startswith("notes: "))
    path.write_text(text.replace(notes_line, "notes: " + name_line[len("name: "):])
                    .replace(name_line, "name: age:v1:YWdlLWVuY3J5cHRpb24ub3JnL3YxCgo="), encoding="utf-8")
    pr_commit(sealed_history.root, "copied")
    monkeypatch.setenv(sealing.IDENTITY_ENV, str(keys.file("ci")))
    code, document = pr_review(sealed_history, "--select", "K811")
    messages = " ".join(f["message"] for f in document["findings"])
    assert code == 1 and "复制" in messages and "损坏" in messages


def test_k806_compares_sealed_phones_with_the_ci_key(sealed_history, keys, monkeypatch):
    sealed_history.customer(id="C2026-0003", name="新客户", phone=SECRET_PHONE, owner="wangli",
                            registered_at="2026-11-18 09:00:00")
    pr_commit(sealed_history.root, "registers a phone that is sealed on main", author="wangli")
    monkeypatch.delenv(sealing.IDENTITY_ENV, raising=False)
    code, document = pr_review(sealed_history, "--select", "K806")
    assert [f["code"] for f in document["findings"]] == []  # it cannot see the sealed phone
    monkeypatch.setenv(sealing.IDENTITY_ENV, str(keys.file("ci")))
    code, document = pr_review(sealed_history, "--select", "K806")
    assert code == 1 and [f["code"] for f in document["findings"]] == ["K806"]
    assert SECRET_NAME not in json.dumps(document, ensure_ascii=False)


# --- the site ------------------------------------------------------------------------------------

def test_site_without_a_key_shows_a_sealed_customer_like_a_confidential_one(sealed_repo, keys):
    """A 秘密 customer whose name and phones policy seals: without a key the build shows it like
    a 机密 one; with the CI key as today (masked); --full with a reader's key in the clear."""
    sealed_repo.write("records/policy.yaml", f"reclaim_after_days: 60\nsealing:\n  ci_recipient: {keys.public('ci')}\n"
                      "  levels:\n    秘密: {fields: [name, phones], readers: [市场总监]}\n")
    sealed_repo.customer(id="C2026-0002", name="欧阳明", phone="13812345678", registered_at="2026-11-12 10:00:00")
    seal_as(sealed_repo, keys)
    page = sealed_repo.root / "_site" / "customers" / "C2026-0002" / "index.html"

    def everything(folder):
        return "".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*")
                       if p.suffix in (".html", ".js", ".json"))

    code, out, err = run_as(None, keys, "build", repo=sealed_repo)
    assert code == 0, err
    shown = page.read_text(encoding="utf-8")
    assert "C2026-0002" in shown and "age:v1:" not in shown and "8****5678" not in shown
    site = everything(sealed_repo.root / "_site")
    assert "欧阳明" not in site and "age:v1:" not in site and SECRET_NAME not in site
    code, out, err = run_as("ci", keys, "build", repo=sealed_repo)
    assert code == 0, err
    shown = page.read_text(encoding="utf-8")
    assert "欧阳明" in shown and "138****5678" in shown and "13812345678" not in shown
    assert SECRET_NAME not in everything(sealed_repo.root / "_site")  # 机密 stays 机密
    code, out, err = run_as("sunmin", keys, "build", "--full", repo=sealed_repo)
    assert code == 0, err
    full = everything(sealed_repo.root / "_site_full")
    assert "13812345678" in full and SECRET_PHONE in full and SECRET_NAME in full


# --- a clone holds only what its holder may read -------------------------------------------------

def every_byte(clone) -> bytes:
    """Every file of a clone's work tree and .git, and every git object unpacked."""
    files = b"".join(p.read_bytes() for p in clone.rglob("*") if p.is_file() and not p.is_symlink())
    objects = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=clone, capture_output=True,
                             check=True).stdout
    return files + objects


def test_a_clone_without_the_key_holds_no_confidential_phone_or_name(sealed_repo, keys, tmp_path):
    sealed_repo.write(FILE, ORIGINAL)
    seal_as(sealed_repo, keys)  # sealed before its first commit
    git(sealed_repo.root, "init", "-q")
    git(sealed_repo.root, "add", "-A")
    git(sealed_repo.root, "commit", "-q", "-m", "records")
    clone = tmp_path / "salesperson"
    subprocess.run(["git", "clone", "-q", str(sealed_repo.root), str(clone)], check=True, capture_output=True)
    everything = every_byte(clone)
    assert len(everything) > 10_000 and b"C2026-0001" in everything  # the search does see the files
    for secret in (SECRET_PHONE, "139 1605 2231", "64381234", "13800001111", SECRET_NAME, "周末"):
        assert secret.encode("utf-8") not in everything, secret
    code, out, err = run_as(None, keys, "check", repo=clone)
    assert code in (0, 1) and "加密字段打不开" in err, err
    code, out, err = run_as("liuyang", keys, "unseal", "C2026-0001", repo=clone)  # the owner's key opens it
    assert code == 0 and SECRET_PHONE in out and SECRET_NAME in out
    code, out, err = run_as("wangli", keys, "unseal", "C2026-0001", repo=clone)  # a colleague's does not
    assert code == 1 and SECRET_PHONE not in out


def clear_then_sealed(repo, keys) -> None:
    """A history whose first commit has the customer in the clear and the second sealed."""
    repo.write(FILE, ORIGINAL)
    git(repo.root, "init", "-q")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "in the clear")
    seal_as(repo, keys)
    git(repo.root, "commit", "-q", "-am", "sealed")


def test_history_written_before_sealing_still_holds_the_phone(sealed_repo, keys, tmp_path):
    """Why README says to rewrite history: sealing now does not reach the commits before."""
    clear_then_sealed(sealed_repo, keys)
    clone = tmp_path / "salesperson"
    subprocess.run(["git", "clone", "-q", str(sealed_repo.root), str(clone)], check=True, capture_output=True)
    assert SECRET_PHONE not in (clone / FILE).read_text(encoding="utf-8")
    assert SECRET_PHONE.encode() in every_byte(clone)


def test_someone_who_left_is_no_reader_once_the_ci_key_reseals(sealed_repo, keys):
    sealed_repo.write(FILE, ORIGINAL)
    seal_as(sealed_repo, keys)
    assert run_as("sunmin", keys, "unseal", "C2026-0001", repo=sealed_repo)[0] == 0
    sealed_repo.staff("sunmin", "孙敏", "市场总监", "市场推广中心", active=False,
                      extra=f"age_recipient: {keys.public('sunmin')}\n")
    sealed_repo.staff("zhouhui", "周慧", "市场总监", "市场推广中心", extra=f"age_recipient: {keys.public('zhouhui')}\n")
    code, out, err = run_as("ci", keys, "seal", repo=sealed_repo)
    assert code == 0 and "已加密 3 个值" in err, err
    assert run_as("sunmin", keys, "unseal", "C2026-0001", repo=sealed_repo)[0] == 1
    assert run_as("zhouhui", keys, "unseal", "C2026-0001", repo=sealed_repo)[0] == 0  # the new director reads
    assert run_as("liuyang", keys, "unseal", "C2026-0001", repo=sealed_repo)[0] == 0


def test_git_filter_repo_takes_the_clear_text_out_of_history_as_readme_says(sealed_repo, keys, tmp_path):
    """README's way: the clear values, one `value==>***` line each, through
    `git filter-repo --replace-text`; a clone of the rewritten repository holds none of them."""
    filter_repo = Path(sys.executable).with_name("git-filter-repo")
    clear_then_sealed(sealed_repo, keys)
    code, opened, err = run_as("ci", keys, "unseal", "C2026-0001", repo=sealed_repo)
    assert code == 0, err
    secrets = [SECRET_NAME, SECRET_PHONE, "021-64381234", "客户周末才有空", "老家电话 13800001111"]
    assert all(secret in opened for secret in secrets)
    listing = tmp_path / "clear-values.txt"
    listing.write_text("".join(f"{secret}==>***\n" for secret in secrets), encoding="utf-8")
    rewritten = tmp_path / "rewritten"
    subprocess.run(["git", "clone", "-q", "--no-local", str(sealed_repo.root), str(rewritten)], check=True)
    env = {**os.environ, "PATH": os.pathsep.join([str(filter_repo.parent), os.environ["PATH"]])}
    subprocess.run([str(filter_repo), "--replace-text", str(listing)], cwd=rewritten, check=True, env=env,
                   capture_output=True)
    clone = tmp_path / "salesperson"
    subprocess.run(["git", "clone", "-q", "--no-local", str(rewritten), str(clone)], check=True, capture_output=True)
    everything = every_byte(clone)
    assert b"C2026-0001" in everything
    for secret in secrets:
        assert secret.encode("utf-8") not in everything, secret
    assert run_as("liuyang", keys, "unseal", "C2026-0001", repo=clone)[1].count(SECRET_PHONE) == 1  # still opens


def test_replacing_a_value_keeps_bom_crlf_and_every_other_line(tmp_path):
    from kehu.edit import RecordText

    path = tmp_path / "C2026-0002.yaml"
    original = ("\ufeffid: C2026-0002\r\nname: 李强  # 先生 13700002222\r\nphones: ['13700002222',\r\n  '021-64381234']  # 两个\r\n"
                "tags:\r\n- a  # 老客户\r\n- b\r\nnotes: >-\r\n  long\r\n  text\r\ngrade: C  # 保留\r\nwechat: x")
    path.write_bytes(original.encode("utf-8"))
    text = RecordText(path)
    fields = ("name", "phones", "tags", "notes", "wechat")
    for name in fields:
        text.replace_value(name, f"age:v1:{name}")
    text.save({**text.original.data, **{name: f"age:v1:{name}" for name in fields}})
    assert path.read_bytes().decode("utf-8") == (
        "\ufeffid: C2026-0002\r\nname: age:v1:name\r\nphones: age:v1:phones\r\ntags: age:v1:tags\r\n"
        "notes: age:v1:notes\r\ngrade: C  # 保留\r\nwechat: age:v1:wechat")


def test_a_sealable_field_written_wrong_is_explained_as_before(repo):
    repo.customer(extra="budget_wan: 三十万\nnotes: [一, 二]\n")
    messages = {f["message"] for f in repo.run("K101")}
    assert any("budget_wan" in m and "应为数字" in m for m in messages), messages
    assert any("notes" in m and "应为文字" in m for m in messages), messages
    assert not any("age:v1" in m or "格式不对" in m for m in messages), messages


def test_pre_commit_hook_seals_the_staged_customer_files(sealed_repo, keys):
    """The hook as pre-commit runs it: its entry, split into words, with the staged files that
    match `files` appended, from the top of the repository."""
    import re
    import shlex

    import yaml

    hook = next(h for h in yaml.safe_load((Path(__file__).parents[1] / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
                if h["id"] == "kehu-seal")
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    sealed_repo.write(FILE, ORIGINAL)
    other = sealed_repo.customer(id="C2026-0002", name="欧阳明", phone="13812345678", registered_at="2026-11-12 10:00:00",
                                 extra="confidentiality: 机密\n")
    before = other.read_bytes()
    staged = [f for f in (FILE, "records/staff/liuyang.yaml") if re.search(hook["files"], f)]
    assert staged == [FILE]
    env = {k: v for k, v in os.environ.items() if k != sealing.IDENTITY_ENV}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env["PATH"]])
    run = subprocess.run([*shlex.split(hook["entry"]), *staged], cwd=sealed_repo.root, env=env, capture_output=True,
                         text=True)
    assert run.returncode == 0, run.stderr
    assert SECRET_PHONE not in (sealed_repo.root / FILE).read_text(encoding="utf-8")
    assert other.read_bytes() == before  # not staged: not touched


def test_the_check_cache_rechecks_in_part_and_keeps_counting_what_it_could_not_open(sealed_repo, keys, monkeypatch):
    from conftest import TODAY
    from kehu.check import Settings, run_check

    sealed_repo.customer(id="C2026-0002", name="欧阳明", phone="13812345678", owner="wangli",
                         registered_at="2026-11-12 10:00:00", extra="confidentiality: 机密\n")
    seal_as(sealed_repo, keys)
    monkeypatch.delenv(sealing.IDENTITY_ENV, raising=False)
    sealing._identities_cache.clear()

    def check():
        result = run_check(Settings(sealed_repo.root, TODAY, use_cache=True))
        return result, [n.zh for n in result.notes], sorted(f.sort_key() for f in result.findings)

    first, notes, _ = check()
    assert first.files_read == first.files and any("有 5 个加密字段打不开" in n for n in notes), notes
    cached, notes, _ = check()
    assert cached.files_read == 0 and any("有 5 个加密字段打不开" in n for n in notes), notes
    sealed_repo.visit(id="V2026-000002", at="2026-11-13 14:00:00")
    partly, notes, found = check()
    assert 0 < partly.files_read < partly.files, partly.files_read  # in part, not everything again
    assert any("有 5 个加密字段打不开" in n for n in notes), notes
    full = run_check(Settings(sealed_repo.root, TODAY))
    assert found == sorted(f.sort_key() for f in full.findings)
    (sealed_repo.root / "records/customers/2026/C2026-0002.yaml").unlink()
    gone, notes, _ = check()
    assert any("有 3 个加密字段打不开" in n for n in notes), notes
