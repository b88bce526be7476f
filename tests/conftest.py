"""A small real records repository on disk, built per test, and ways to run kehu on it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 20)

STAFF = {
    "sunmin": ("孙敏", "市场总监", "市场推广中心"),
    "liuyang": ("刘洋", "客户经理", "市场拓展部"),
    "wangli": ("王丽", "客户经理", "市场拓展部"),
    "chenjing": ("陈静", "设计师", "设计部"),
    "zhouhui": ("周慧", "客服专员", "客户服务部"),
}

CUSTOMER = """\
id: {id}
name: {name}
phones:
  - '{phone}'
district: 闵行区
community: 万科城市花园
source:
  channel: 到店
grade: B
stage: 咨询
owner: {owner}
registered_at: {registered_at}
registered_by: {registered_by}
"""

VISIT = """\
id: {id}
customer: {customer}
at: {at}
staff: {staff}
type: 电话
summary: 电话沟通装修预算
"""


# a valid customer of the fixture repository, for tests that write their own variants of it
CUSTOMER_C0009 = """\
id: C2026-0009
name: 李强
phones: ['13700001111']
source: {channel: 电话}
grade: C
stage: 咨询
owner: wangli
registered_at: 2026-05-01 09:00:00
registered_by: wangli
"""


def kehu(*args: str, repo=None, today: str | None = "2026-11-20", stdin: str = "", cwd=None) -> tuple[int, str, str]:
    """The real `kehu` process: (exit status, stdout, stderr). With `repo` (a Repo or a path)
    it runs there (--repo) on `today` (--today; None to leave it out)."""
    extra: list[str] = []
    if repo is not None:
        extra += ["--repo", str(getattr(repo, "root", repo))] + (["--today", today] if today else [])
    run = subprocess.run([sys.executable, "-m", "kehu", *args, *extra], capture_output=True, text=True,
                         input=stdin, cwd=cwd)
    assert "Traceback" not in run.stderr, run.stderr  # never, whatever the input
    return run.returncode, run.stdout, run.stderr


class Repo:
    def __init__(self, root: Path):
        self.root = root

    def write(self, relative: str, text: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def customer(self, id="C2026-0001", name="王芳", phone="13916052231", owner="liuyang",
                 registered_at="2026-11-10 10:30:00", folder=None, extra="", registered_by=None) -> Path:
        year = folder or id[1:5]
        text = CUSTOMER.format(id=id, name=name, phone=phone, owner=owner, registered_at=registered_at,
                               registered_by=registered_by or owner) + extra
        return self.write(f"records/customers/{year}/{id}.yaml", text)

    def visit(self, id="V2026-000001", customer="C2026-0001", at="2026-11-12 14:00:00",
              staff="liuyang", folder=None, extra="") -> Path:
        folder = folder or f"{at[:4]}/{at[5:7]}"
        text = VISIT.format(id=id, customer=customer, at=at, staff=staff) + extra
        return self.write(f"records/visits/{folder}/{id}.yaml", text)

    def staff(self, id: str, name: str, role: str, department: str = "市场拓展部", active: bool = True, extra=""):
        return self.write(f"records/staff/{id}.yaml",
                          f"id: {id}\nname: {name}\nrole: {role}\ndepartment: {department}\n"
                          f"active: {'true' if active else 'false'}\n{extra}")

    def check(self, *args: str, today: date = TODAY):
        """Run the real `kehu check` process; returns (exit code, stdout, stderr)."""
        return kehu("check", *args, repo=self, today=today.isoformat(), cwd=self.root)

    def run(self, select: str = "", today: date = TODAY, lang: str = "zh") -> list[dict]:
        """The check pipeline in-process (fast); findings as the JSON reporter writes them."""
        from kehu.check import Settings, run_check

        codes = tuple(c for c in select.split(",") if c)
        result = run_check(Settings(self.root, today, select=codes))
        return [f.as_dict(lang) for f in result.findings]

    def findings(self, *args: str, today: date = TODAY) -> list[dict]:
        code, out, err = self.check("--format", "json", *args, today=today)
        assert code in (0, 1), err
        return json.loads(out)["findings"]


@pytest.fixture
def repo(tmp_path) -> Repo:
    """A valid repository: staff, the default policy (empty file), one customer, one visit."""
    return company(tmp_path / "company")


def company(root: Path) -> Repo:
    """The `repo` fixture's repository at `root` (for fixtures of a wider scope)."""
    r = Repo(root)
    r.write("kehu.yaml", "site_name: 测试装饰公司\n")
    for staff_id, (name, role, dept) in STAFF.items():
        r.staff(staff_id, name, role, dept)
    r.write("records/policy.yaml", "reclaim_after_days: 60\n")
    r.customer()
    r.visit()
    return r


def git(root: Path, *args: str, when: str | None = None, name: str = "kehu test",
        email: str = "test@example.com") -> str:
    """Real git in `root`, isolated from this machine's git configuration."""
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull}
    if when:
        env.update(GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    command = ["git", "-c", f"user.name={name}", "-c", f"user.email={email}", "-c", "init.defaultBranch=main", *args]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=True).stdout


def assert_findings(repo: Repo, path: str, text: str, expected: list[tuple[str, int]], select: str = "") -> list[dict]:
    """yamllint's RuleTestCase for kehu: write `text` as the file at `path`, run the check,
    and compare the findings on that file, as (code, line), with `expected`. Returns them."""
    repo.write(path, text)
    found = [f for f in repo.run(select) if f["file"] == path]
    assert sorted((f["code"], f["line"]) for f in found) == sorted(expected), found
    return found


def codes(findings: list[dict]) -> list[str]:
    return [f["code"] for f in findings]


def only(findings: list[dict], code: str) -> list[dict]:
    return [f for f in findings if f["code"] == code]


def copy_demo(tmp_path: Path) -> Path:
    target = tmp_path / "demo"
    shutil.copytree(PROJECT / "records", target / "records")
    return target


# --- pull requests: a main branch with staff that have git identities, and a branch ----------

EMAIL = "{}@hzdecor.cn"


def pr_git(root, *args, when="2026-11-18T10:00:00+08:00", author=None):
    if author:
        name = STAFF[author][0] if author in STAFF else author
        args += ("--author", f"{name} <{EMAIL.format(author)}>")
    return git(root, *args, when=when, name="CI", email=EMAIL.format("ci"))


def pr_commit(root, message, author="liuyang", when="2026-11-18T10:00:00+08:00"):
    pr_git(root, "add", "-A")
    pr_git(root, "commit", "-q", "-m", message, when=when, author=author)


@pytest.fixture
def history(repo):
    """The fixture repository as the main branch, staff with git identities, and a branch."""
    for staff_id, (name, role, dept) in STAFF.items():
        repo.staff(staff_id, name, role, dept, extra=f"git:\n  emails: ['{EMAIL.format(staff_id)}']\n  handle: gh-{staff_id}\n")
    pr_git(repo.root, "init", "-q")
    pr_commit(repo.root, "records", author="sunmin", when="2026-11-10T12:00:00+08:00")
    pr_git(repo.root, "checkout", "-q", "-b", "change")
    return repo


def pr_on_main(repo, message, author="sunmin", when="2026-11-11T12:00:00+08:00"):
    """Commit what the work tree holds to main, as if it had landed there before the branch's
    own work, and merge main into the branch."""
    pr_git(repo.root, "checkout", "-q", "main")
    pr_commit(repo.root, message, author=author, when=when)
    pr_git(repo.root, "checkout", "-q", "change")
    pr_git(repo.root, "merge", "-q", "--no-edit", "main", when=when)


def pr_review(repo, *args, trusted=True):
    """kehu review as CI runs it: by default with the code host's word for who opened the
    pull request (the head commit's author here) and when (the head commit's time)."""
    if trusted and "--author" not in args:
        args += ("--author", pr_git(repo.root, "log", "-1", "--format=%ae").strip())
    if trusted and "--received-at" not in args:
        args += ("--received-at", pr_git(repo.root, "log", "-1", "--format=%aI").strip())
    code, out, err = kehu("review", "--base", "main", "--format", "json", *args, repo=repo)
    assert code in (0, 1), err
    return code, json.loads(out)
