"""The ready-to-copy CI files as products: they validate against their hosts' schemas, call
kehu only with options it has, and their pull-request commands run as written — on a real
branch, with the code host played by small stand-ins for `gh` and `curl`. Every `--format`
of every command runs, and the pre-commit hook's entry runs as pre-commit would run it.

The templates pass no `--today`, so the records here are dated relative to the real date.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from conftest import CUSTOMER as CUSTOMER_TEXT
from conftest import (
    EMAIL,
    PROJECT,
    STAFF,
    TODAY,
    Repo,
    copy_demo,
    git,
    pr_commit,
    pr_git,
)
from kehu.cli import cli

GITHUB = PROJECT / "docs/ci/github-workflow.yml"
GITLAB = PROJECT / "docs/ci/gitlab-ci.yml"
HOOKS = PROJECT / ".pre-commit-hooks.yaml"
VENV_BIN = Path(sys.executable).parent  # where the installed `kehu` script lives
SHANGHAI = timezone(timedelta(hours=8))

MR_EVENT = '$CI_PIPELINE_SOURCE == "merge_request_event"'
ON_MAIN = '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $CI_PIPELINE_SOURCE != "schedule"'
ON_SCHEDULE = '$CI_PIPELINE_SOURCE == "schedule"'


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- what the templates run ------------------------------------------------------------------

def github_steps(job: str) -> list[dict]:
    """The job's shell steps that run kehu: no `uses:` steps, no `pip install`."""
    steps = load(GITHUB)["jobs"][job]["steps"]
    return [s for s in steps if "run" in s and not s["run"].lstrip().startswith("pip install")]


def gitlab_jobs(condition: str) -> dict[str, dict]:
    """The jobs whose rules run them under `condition`."""
    return {name: job for name, job in load(GITLAB).items()
            if isinstance(job, dict) and any(rule.get("if") == condition for rule in job.get("rules", []))}


def shell_texts() -> list[tuple[str, str]]:
    """(template, shell text) for every command the three files run."""
    texts = [(GITHUB.name, step["run"]) for job in load(GITHUB)["jobs"].values() for step in job["steps"]
             if "run" in step]
    gitlab = load(GITLAB)
    texts += [(GITLAB.name, line) for job in gitlab.values() if isinstance(job, dict)
              for key in ("before_script", "script") for line in job.get(key, [])]
    texts += [(GITLAB.name, line) for line in gitlab["default"]["before_script"]]
    texts += [(HOOKS.name, hook["entry"]) for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))]
    return texts


def kehu_calls(text: str):
    joined = re.sub(r"\\\n\s*", " ", text)
    for match in re.finditer(r"(?<![\w-])kehu ([a-z]+)([^\n|;&]*)", joined):
        yield match.group(1), shlex.split(re.sub(r"\"[^\"]*\"|\$\w+", "X", match.group(2)))


def test_templates_call_only_real_commands_and_options():
    calls = [(name, call) for name, text in shell_texts() for call in kehu_calls(text)]
    assert {name for name, _ in calls} == {GITHUB.name, GITLAB.name, HOOKS.name}
    for name, (command, words) in calls:
        assert command in cli.commands, (name, command)
        known = {opt for param in cli.commands[command].params for opt in param.opts}
        for word in words:
            if word.startswith("--"):
                assert word.split("=")[0] in known, (name, command, word)


def test_pull_requests_get_new_since_and_trusted_review_on_both_hosts():
    for name, text in shell_texts():
        for command, words in kehu_calls(text):
            if command == "review":
                assert {"--base", "--head", "--author", "--received-at", "--approved-by"} <= set(words), name
    github = " ".join(s["run"] for s in github_steps("pull-request"))
    assert "--new-since" in github and "--format github" in github
    gitlab = " ".join(line for job in gitlab_jobs(MR_EVENT).values() for line in job["script"])
    assert "kehu check --new-since" in gitlab and "kehu review" in gitlab
    main = " ".join(s["run"] for s in github_steps("main") + github_steps("site"))
    assert "kehu check --format github" in main and "kehu build" in main
    main = " ".join(line for job in gitlab_jobs(ON_MAIN).values() for line in job["script"])
    assert "kehu check" in main and "kehu build" in main


def test_the_morning_digest_runs_only_on_schedule_and_the_gates_never_do():
    jobs = load(GITHUB)["jobs"]
    assert "schedule" in load(GITHUB)[True] and "schedule" not in jobs["pull-request"]["if"]
    assert "schedule" in jobs["digest"]["if"] and "push" not in jobs["digest"]["if"]
    assert {name for name, job in jobs.items() if job["if"] == "github.event_name == 'push'"} == {"main", "site"}
    assert set(gitlab_jobs(ON_SCHEDULE)) == {"kehu-digest"}
    for name, job in load(GITLAB).items():
        if isinstance(job, dict) and "rules" in job and name != "kehu-digest":
            assert all("schedule" not in rule["if"] or "!=" in rule["if"] for rule in job["rules"]), name
    digests = [words for _, text in shell_texts() for command, words in kehu_calls(text) if command == "notify"]
    assert len(digests) == 2 and all({"--smtp", "--from", "--today"} <= set(words) for words in digests)


def test_untrusted_pull_request_fields_never_reach_the_shell():
    """GitHub substitutes ${{ }} into the script text before bash reads it: a title or
    branch name there would be shell code. Values come in through `env:` only, and free
    text (titles, descriptions, branch names, commit messages) is not used at all."""
    workflow = load(GITHUB)
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            assert "${{" not in step.get("run", ""), step
    text = GITHUB.read_text(encoding="utf-8")
    for field_ in ("title", "body", "head.ref", "head.label", "commits", "head_commit"):
        assert f"pull_request.{field_}" not in text and f"event.{field_}" not in text, field_
    text = GITLAB.read_text(encoding="utf-8")
    for variable in ("CI_MERGE_REQUEST_TITLE", "CI_MERGE_REQUEST_DESCRIPTION", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
                     "CI_COMMIT_MESSAGE", "CI_COMMIT_TITLE", "CI_COMMIT_DESCRIPTION", "CI_COMMIT_REF_NAME", "eval "):
        assert variable not in text, variable


def test_checkouts_keep_the_whole_history():
    for name, job in load(GITHUB)["jobs"].items():
        checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["fetch-depth"] == (1 if name == "digest" else 0)  # the digest reads today's records only
    assert load(GITLAB)["variables"]["GIT_DEPTH"] == 0


# --- the hosts' schemas, offline ---------------------------------------------------------------

OFFLINE = {"HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "",
           "http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "no_proxy": ""}


def check_jsonschema(schema: str, path: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """check-jsonschema with its bundled schema; any attempt at the network goes to a closed
    port on this machine, and its cache starts empty, so a pass proves nothing was fetched."""
    env = {**os.environ, **OFFLINE, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("path, schema", [(GITHUB, "vendor.github-workflows"), (GITLAB, "vendor.gitlab-ci")],
                         ids=["github", "gitlab"])
def test_template_validates_against_its_hosts_schema(path, schema, tmp_path):
    run = check_jsonschema(schema, path, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "validation done" in run.stdout
    # the same validator refuses a template that its host would refuse
    broken = load(path)
    if path == GITHUB:
        del broken["jobs"]["pull-request"]["runs-on"]
    else:
        broken["kehu-check"]["when"] = "sometimes"
    copy = tmp_path / path.name
    copy.write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    run = check_jsonschema(schema, copy, tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr


# --- a records repository dated around the real today ------------------------------------------

REAL_TODAY = date.today()


def day(days_ago: int) -> date:
    return REAL_TODAY - timedelta(days=days_ago)


def at(days_ago: int, clock: str) -> str:
    return f"{day(days_ago).isoformat()} {clock}"


def shanghai(days_ago: int, clock: str) -> datetime:
    return datetime.fromisoformat(f"{day(days_ago).isoformat()}T{clock}").replace(tzinfo=SHANGHAI)


LIUYANGS = f"C{day(8).year}-0001"
WANGLIS = f"C{day(8).year}-0002"


def visit_id(days_ago: int, n: int) -> str:
    return f"V{day(days_ago).year}-{n:06d}"


def records(root: Path) -> Repo:
    """Staff with git identities, the default policy, two customers and a first visit each."""
    r = Repo(root)
    r.write("kehu.yaml", "site_name: 测试装饰公司\n")
    for staff_id, (name, role, dept) in STAFF.items():
        r.staff(staff_id, name, role, dept,
                extra=f"git:\n  emails: ['{EMAIL.format(staff_id)}']\n  handle: gh-{staff_id}\n")
    r.write("records/policy.yaml", "reclaim_after_days: 60\n")
    r.customer(id=LIUYANGS, registered_at=at(8, "10:30:00"))
    r.customer(id=WANGLIS, name="李强", phone="13700001111", owner="wangli", registered_at=at(8, "11:00:00"))
    r.visit(id=visit_id(7, 1), customer=LIUYANGS, at=at(7, "14:00:00"), staff="liuyang")
    r.visit(id=visit_id(7, 2), customer=WANGLIS, at=at(7, "15:00:00"), staff="wangli")
    return r


BROKEN_CUSTOMER = f"C{day(2).year}-0003"


def broken_customer(r: Repo, registered_days_ago: int = 2) -> Path:
    """A customer whose grade is not one the schema allows: an error in every run (K1xx)."""
    text = CUSTOMER_TEXT.format(id=BROKEN_CUSTOMER, name="赵磊", phone="13500002222", owner="liuyang",
                                registered_at=at(registered_days_ago, "09:00:00"), registered_by="liuyang")
    return r.write(f"records/customers/{BROKEN_CUSTOMER[1:5]}/{BROKEN_CUSTOMER}.yaml",
                   text.replace("grade: B", "grade: Z"))


# --- a pull request, and the code host's view of it --------------------------------------------

@dataclass
class PullRequest:
    origin: Path                 # the repository on the code host
    checkout: Path               # CI's clone, at the head commit, with origin/main
    head: str
    commits: list[str]
    opener: str                  # the code host's login of whoever opened it
    opened_at: datetime
    reviews: list[dict] = field(default_factory=list)

    def review(self, staff_id: str, state: str, commit: str | None = None, minutes: int = 30):
        """A review as `gh pr view --json reviews` lists it."""
        when = self.opened_at + timedelta(minutes=minutes)
        self.reviews.append({"author": {"login": f"gh-{staff_id}"}, "state": state,
                             "submittedAt": when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                             "commit": {"oid": commit or self.head}})

    def approvers(self) -> list[str]:
        """What the host counts as approvals of the head commit: each reviewer's latest verdict."""
        latest = {}
        for r in sorted(self.reviews, key=lambda r: r["submittedAt"]):
            if r["state"] not in ("COMMENTED", "PENDING"):
                latest[r["author"]["login"]] = r
        return sorted(login for login, r in latest.items()
                      if r["state"] == "APPROVED" and r["commit"]["oid"] == self.head)


def main_branch(tmp_path: Path, old_findings: bool = False) -> Repo:
    r = records(tmp_path / "origin")
    if old_findings:
        broken_customer(r, registered_days_ago=6)
    pr_git(r.root, "init", "-q")
    pr_commit(r.root, "records", author="sunmin", when=shanghai(6, "12:00:00").isoformat())
    return r


def open_pull_request(r: Repo, tmp_path: Path, opener: str, *changes, then_on_main=None) -> PullRequest:
    """Each change (a function of the repository) becomes one commit on the branch, by the
    opener; `then_on_main`, if given, is a commit on main after the branch forked."""
    pr_git(r.root, "checkout", "-q", "-b", "change")
    commits = []
    for n, change in enumerate(changes):
        change(r)
        pr_commit(r.root, f"change {n}", author=opener, when=shanghai(2, f"10:0{n}:00").isoformat())
        commits.append(pr_git(r.root, "rev-parse", "HEAD").strip())
    if then_on_main:
        pr_git(r.root, "checkout", "-q", "main")
        then_on_main(r)
        pr_commit(r.root, "on main meanwhile", author="sunmin", when=shanghai(1, "16:00:00").isoformat())
        pr_git(r.root, "checkout", "-q", "change")
    checkout = tmp_path / "ci"
    git(tmp_path, "clone", "-q", str(r.root), str(checkout))
    git(checkout, "checkout", "-q", "--detach", commits[-1])
    return PullRequest(r.root, checkout, commits[-1], commits, f"gh-{opener}", shanghai(2, "10:30:00"))


def own_visit(r: Repo):
    r.visit(id=visit_id(2, 3), customer=LIUYANGS, at=at(2, "09:00:00"), staff="liuyang")


def foreign_visit(r: Repo):
    r.visit(id=visit_id(2, 4), customer=LIUYANGS, at=at(2, "09:30:00"), staff="wangli")


def new_schema_error(r: Repo):
    broken_customer(r)


FAKE_GH = """\
#!{python}
# gh as the workflow calls it: gh pr view N --json reviews --jq FILTER
import json, os, shutil, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_HOST_LOG"], "a") as log:
    seen = {{name: os.environ.get(name) for name in ("GH_TOKEN", "GH_REPO")}}
    log.write(json.dumps(["gh", *args, seen]) + "\\n")
if args[:2] != ["pr", "view"] or "--json" not in args or "--jq" not in args:
    sys.exit("fake gh: unexpected call")
jq = shutil.which("jq")
if jq:  # real jq runs the workflow's filter on the host's answer, as gh's built-in jq would
    sys.exit(subprocess.run([jq, "-r", args[args.index("--jq") + 1], os.environ["FAKE_REVIEWS"]]).returncode)
print(os.environ["FAKE_APPROVERS"])
"""

FAKE_CURL = """\
#!{python}
# curl as the GitLab job calls it: the merge request, then its approvals
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_HOST_LOG"], "a") as log:
    log.write(json.dumps(["curl", *args]) + "\\n")
if "PRIVATE-TOKEN: " + os.environ["FAKE_TOKEN"] not in args:
    sys.exit(22)  # 401 with --fail
url = args[-1]
api = os.environ["CI_API_V4_URL"] + "/projects/" + os.environ["CI_MERGE_REQUEST_PROJECT_ID"] + "/merge_requests/"
answers = json.loads(os.environ["FAKE_API"])
if not url.startswith(api) or url[len(api):] not in answers:
    sys.exit(22)  # 404 with --fail
print(json.dumps(answers[url[len(api):]]))
"""


def fake_host(tmp_path: Path, pr: PullRequest) -> dict:
    """PATH with the stand-ins first, then the venv's kehu; their data in the environment."""
    bin_dir = tmp_path / "host-bin"
    bin_dir.mkdir()
    for name, text in (("gh", FAKE_GH), ("curl", FAKE_CURL)):
        script = bin_dir / name
        script.write_text(text.format(python=sys.executable), encoding="utf-8")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    reviews = tmp_path / "reviews.json"
    reviews.write_text(json.dumps({"reviews": pr.reviews}), encoding="utf-8")
    return {**os.environ, "PATH": os.pathsep.join([str(bin_dir), str(VENV_BIN), os.environ.get("PATH", "")]),
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
            "FAKE_HOST_LOG": str(tmp_path / "host.log"), "FAKE_REVIEWS": str(reviews),
            "FAKE_APPROVERS": ",".join(pr.approvers()), "FAKE_TOKEN": "glpat-fake"}


@dataclass
class Ran:
    name: str
    code: int
    stdout: str
    stderr: str


def run_script(text: str, cwd: Path, env: dict, tmp_path: Path, name: str) -> Ran:
    script = tmp_path / f"step-{re.sub(r'[^a-z0-9]+', '-', name.lower())}.sh"
    script.write_text(text, encoding="utf-8")
    run = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=300)
    return Ran(name, run.returncode, run.stdout, run.stderr)


# --- GitHub Actions ----------------------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def github_run(pr: PullRequest, tmp_path: Path) -> list[Ran]:
    """The pull-request job's kehu steps as the runner would run them for this pull request."""
    workflow = load(GITHUB)
    assert workflow["defaults"]["run"]["shell"] == "bash"  # GitHub: bash --noprofile --norc -eo pipefail
    event = {  # exactly the expressions the template uses, with the event payload's values
        "github.event.pull_request.base.ref": "main",
        "github.event.pull_request.head.sha": pr.head,
        "github.event.pull_request.number": "7",
        "github.event.pull_request.user.login": pr.opener,
        "github.event.pull_request.created_at": pr.opened_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "github.repository": "hzdecor/kehu-records",
        "github.token": "ghs_fake_token",
    }
    used = set()

    def expand(value) -> str:
        def one(match):
            used.add(match.group(1))
            return event[match.group(1)]
        return EXPRESSION.sub(one, str(value))

    host = fake_host(tmp_path, pr)
    job = workflow["jobs"]["pull-request"]
    results, failed = [], False
    for step in github_steps("pull-request"):
        condition = step.get("if")
        assert condition in (None, "${{ !cancelled() }}"), condition
        if failed and condition is None:
            continue
        env = {**host, **{k: expand(v) for k, v in {**workflow.get("env", {}), **job.get("env", {}),
                                                    **step.get("env", {})}.items()}}
        ran = run_script(step["run"], pr.checkout, env, tmp_path, step.get("name", step["run"][:20]))
        results.append(ran)
        failed = failed or ran.code != 0
    assert used == set(event), set(event) - used  # the mapping is exactly what the template uses
    return results


def assert_passes(results: list[Ran], steps: int):
    assert len(results) == steps
    for ran in results:
        assert ran.code == 0, (ran.name, ran.stdout, ran.stderr)
        assert "Traceback" not in ran.stderr
        assert "K807" not in ran.stdout + ran.stderr, ran  # opener and time came from the host


def test_github_clean_pull_request_passes_every_step(tmp_path):
    pr = open_pull_request(main_branch(tmp_path), tmp_path, "liuyang", own_visit)
    results = github_run(pr, tmp_path)
    assert_passes(results, 2)
    log = [json.loads(line) for line in (tmp_path / "host.log").read_text().splitlines()]
    assert log[0][:3] == ["gh", "pr", "view"] and log[0][3] == "7"
    assert log[0][-1] == {"GH_TOKEN": "ghs_fake_token", "GH_REPO": "hzdecor/kehu-records"}


def test_github_foreign_visit_passes_once_the_owner_approves_the_head(tmp_path):
    pr = open_pull_request(main_branch(tmp_path), tmp_path, "wangli", foreign_visit)
    pr.review("sunmin", "COMMENTED", minutes=40)
    pr.review("liuyang", "CHANGES_REQUESTED", minutes=10)
    pr.review("liuyang", "APPROVED", minutes=20)
    assert_passes(github_run(pr, tmp_path), 2)


def test_github_bad_pull_request_fails_with_annotations(tmp_path):
    """wangli adds a visit to liuyang's customer; liuyang approved that commit, but a later
    commit adds a customer the schema refuses: the stale approval does not count."""
    pr = open_pull_request(main_branch(tmp_path), tmp_path, "wangli", foreign_visit, new_schema_error)
    pr.review("liuyang", "APPROVED", commit=pr.commits[0])
    pr.review("chenjing", "APPROVED")  # approves, but is neither the owner nor an assigner
    check, review = github_run(pr, tmp_path)
    assert check.code == 1, check
    assert re.search(rf"^::error file=records/customers/\d{{4}}/{BROKEN_CUSTOMER}\.yaml,line=\d+", check.stdout,
                     re.M), check.stdout
    assert review.code == 1, review
    assert re.search(r"^::error file=records/visits/[^,]+,.*title=K801::", review.stdout, re.M), review.stdout
    assert "K807" not in review.stdout


def old_findings(tmp_path: Path, when: str) -> PullRequest:
    """A clean pull request and a finding that is not the branch's doing: main had it when the
    branch forked ("before"), main got it after ("after"), or main had it and fixed it after
    ("fixed": the branch still has it; judged against the merge base, it is not new)."""
    if when == "after":
        return open_pull_request(main_branch(tmp_path), tmp_path, "liuyang", own_visit,
                                 then_on_main=lambda r: broken_customer(r, registered_days_ago=1))

    def fix(r: Repo):
        path = broken_customer(r, registered_days_ago=6)
        path.write_text(path.read_text(encoding="utf-8").replace("grade: Z", "grade: B"), encoding="utf-8")

    return open_pull_request(main_branch(tmp_path, old_findings=True), tmp_path, "liuyang", own_visit,
                             then_on_main=fix if when == "fixed" else None)


WHEN = pytest.mark.parametrize("when", ["before", "after", "fixed"],
                               ids=["main-had-it", "main-got-it-later", "main-fixed-it-later"])


@WHEN
def test_github_old_findings_on_main_do_not_fail_a_clean_pull_request(tmp_path, when):
    pr = old_findings(tmp_path, when)
    results = github_run(pr, tmp_path)
    assert_passes(results, 2)
    if when != "after":  # the check ran on the branch, which has it: listed, not failing
        assert re.search(rf"^::notice file=records/customers/\d{{4}}/{BROKEN_CUSTOMER}\.yaml", results[0].stdout,
                         re.M)
    assert "::error" not in results[0].stdout


# --- GitLab CI ---------------------------------------------------------------------------------

def gitlab_run(pr: PullRequest, tmp_path: Path, merged_results: bool = False, **overrides) -> list[Ran]:
    """The merge-request jobs' scripts with GitLab's predefined variables for this merge request.
    Merged results pipelines (Premium) run on a merge commit and add the two branch SHAs."""
    template = load(GITLAB)
    merge_base = git(pr.checkout, "merge-base", "origin/main", pr.head).strip()
    variables = {
        "CI_PIPELINE_SOURCE": "merge_request_event",
        "CI_API_V4_URL": "https://gitlab.hzdecor.example/api/v4",
        "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "7",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_DEFAULT_BRANCH": "main",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": merge_base, "CI_COMMIT_SHA": pr.head,
        "KEHU_API_TOKEN": "glpat-fake",
        **{k: str(v) for k, v in template.get("variables", {}).items()},
    }
    if merged_results:
        target = git(pr.checkout, "rev-parse", "origin/main").strip()
        git(pr.checkout, "checkout", "-q", "--detach", target)
        git(pr.checkout, "merge", "-q", "--no-ff", "--no-edit", pr.head)
        variables.update(CI_MERGE_REQUEST_TARGET_BRANCH_SHA=target, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA=pr.head,
                         CI_COMMIT_SHA=git(pr.checkout, "rev-parse", "HEAD").strip())
    created = pr.opened_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    api = {"7": {"iid": 7, "title": "$(touch pwned) `touch pwned`", "author": {"username": pr.opener},
                 "created_at": created},
           "7/approvals": {"approved_by": [{"user": {"username": login}} for login in pr.approvers()]}}
    env = {**fake_host(tmp_path, pr), **variables, "FAKE_API": json.dumps(api), **overrides}
    results = []
    for name, job in gitlab_jobs(MR_EVENT).items():
        assert job.get("stage") == "check" and "needs" not in job, name
        # the runner runs a job's lines in one shell that stops at the first failing one
        results.append(run_script("\n".join(job["script"]) + "\n", pr.checkout, env, tmp_path, name))
    assert not (pr.checkout / "pwned").exists()
    return results


@pytest.mark.parametrize("merged_results", [False, True], ids=["mr-pipeline", "merged-results"])
def test_gitlab_clean_merge_request_passes_every_job(tmp_path, merged_results):
    pr = open_pull_request(main_branch(tmp_path), tmp_path, "liuyang", own_visit)
    assert_passes(gitlab_run(pr, tmp_path, merged_results), 2)
    calls = [json.loads(line) for line in (tmp_path / "host.log").read_text().splitlines()]
    mr = "https://gitlab.hzdecor.example/api/v4/projects/42/merge_requests/7"
    assert [call[-1] for call in calls] == [mr, f"{mr}/approvals"]


def test_gitlab_foreign_visit_passes_with_the_owners_approval(tmp_path):
    pr = open_pull_request(main_branch(tmp_path), tmp_path, "wangli", foreign_visit)
    pr.review("liuyang", "APPROVED")
    assert_passes(gitlab_run(pr, tmp_path), 2)


@pytest.mark.parametrize("merged_results", [False, True], ids=["mr-pipeline", "merged-results"])
def test_gitlab_bad_merge_request_fails(tmp_path, merged_results):
    pr = open_pull_request(main_branch(tmp_path), tmp_path, "wangli", foreign_visit, new_schema_error)
    check, review = gitlab_run(pr, tmp_path, merged_results)
    assert check.code == 1 and re.search(rf"records/customers/\d{{4}}/{BROKEN_CUSTOMER}\.yaml:\d+:\d+: K1",
                                         check.stdout), check
    assert review.code == 1 and "K801" in review.stdout, review
    assert "K807" not in review.stdout


@WHEN
@pytest.mark.parametrize("merged_results", [False, True], ids=["mr-pipeline", "merged-results"])
def test_gitlab_old_findings_on_main_do_not_fail_a_clean_merge_request(tmp_path, when, merged_results):
    pr = old_findings(tmp_path, when)
    results = gitlab_run(pr, tmp_path, merged_results)
    assert_passes(results, 2)
    if (when, merged_results) in (("before", False), ("before", True), ("fixed", False), ("after", True)):
        # the checked tree (the branch, or the merge commit) has it: listed as existing
        assert BROKEN_CUSTOMER in results[0].stdout


def test_gitlab_review_fails_when_the_api_refuses(tmp_path):
    """A token the API refuses fails the job: never a review without the host's facts."""
    pr = open_pull_request(main_branch(tmp_path), tmp_path, "liuyang", own_visit)
    results = gitlab_run(pr, tmp_path, KEHU_API_TOKEN="glpat-revoked")
    check, review = results
    assert check.code == 0
    assert review.code != 0 and review.stdout == "", review


# --- every --format of every command -----------------------------------------------------------

DEMO_DAY = TODAY.isoformat()  # the demo records are generated for this day


def commands_with_formats(group=cli, prefix=()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands_with_formats(command, prefix + (name,))
            continue
        for param in command.params:
            if "--format" in param.opts:
                for choice in param.type.choices:
                    yield " ".join(prefix + (name,)), choice


FORMATS = sorted(commands_with_formats())


@pytest.fixture(scope="module")
def places(tmp_path_factory):
    """The bundled demo records, and a pull request with findings for `review`/`check --new-since`."""
    base = tmp_path_factory.mktemp("formats")
    demo = copy_demo(base)
    pr = open_pull_request(main_branch(base), base, "wangli", foreign_visit, new_schema_error)
    return {"demo": demo, "pr": pr, "out": base}


def command_line(command: str, fmt: str, places: dict) -> tuple[list[str], Path | None]:
    demo, checkout, out = str(places["demo"]), str(places["pr"].checkout), places["out"]
    written = out / f"{command}.{fmt}"
    on_demo = ["--repo", demo, "--today", DEMO_DAY, "--format", fmt]
    lines = {
        "check": (["check", *on_demo], None),
        "check --new-since": (["check", "--repo", checkout, "--new-since", "origin/main", "--format", fmt], None),
        "review": (["review", "--repo", checkout, "--base", "origin/main", "--author", "gh-wangli",
                    "--received-at", places["pr"].opened_at.isoformat(), "--approved-by", "gh-chenjing",
                    "--format", fmt], None),
        "rules": (["rules", "--format", fmt], None),
        "rules K201": (["rules", "K201", "--format", fmt], None),
        "pool": (["pool", *on_demo], None),
        "todo": (["todo", *on_demo], None),
        "report": (["report", "weekly", *on_demo, *(["--out", str(written)] if fmt == "xlsx" else [])],
                   written if fmt == "xlsx" else None),
        "report range": (["report", "range", "--from", "2026-01-01", "--to", DEMO_DAY, *on_demo,
                          "--out", str(written), "--force"], written),
        "export": (["export", *on_demo, "--out", str(written), "--force"], written),
    }
    return lines[command]


EXTRA = [("check --new-since", f) for f in ("text", "json", "github")] + \
    [("rules K201", f) for f in ("text", "json")] + [("report range", f) for f in ("md", "json", "xlsx")]


def test_formats_are_the_ones_the_spec_names():
    """check and review: text, json, github; every other data command has json (SPEC §8, §9).
    Each (command, format) Click offers is run below: a new one fails there until it is added."""
    offered = {}
    for command, fmt in FORMATS:
        offered.setdefault(command, set()).add(fmt)
    assert offered["check"] == offered["review"] == {"text", "json", "github"}
    for command in ("rules", "pool", "report", "todo"):
        assert "json" in offered[command], command


@pytest.mark.parametrize("command, fmt", FORMATS + EXTRA, ids=[f"{c}-{f}" for c, f in FORMATS + EXTRA])
def test_command_runs_in_every_format(command, fmt, places):
    args, written = command_line(command, fmt, places)
    run = subprocess.run([sys.executable, "-m", "kehu", *args], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "GIT_CONFIG_GLOBAL": os.devnull})
    assert run.returncode in (0, 1), run.stderr
    for sign in ("Traceback", "内部错误", "internal error", "crashed"):
        assert sign not in run.stderr + run.stdout, run.stderr
    if written is not None:
        assert written.stat().st_size > 0
        if fmt == "xlsx":
            import openpyxl
            assert openpyxl.load_workbook(written).sheetnames
        elif fmt == "json":
            json.loads(written.read_text(encoding="utf-8"))
    elif fmt == "json":
        json.loads(run.stdout)
    elif fmt == "github":
        assert all(line.startswith("::") for line in run.stdout.splitlines()), run.stdout
    if command in ("check --new-since", "review"):
        assert run.returncode == 1 and run.stdout  # the pull request's findings, in this format


# --- the pre-commit hook -----------------------------------------------------------------------

def test_pre_commit_hook_entry_runs_and_its_exit_status_follows_the_findings(tmp_path):
    """pre-commit runs `entry` split into words, with pass_filenames false nothing appended,
    from the top of the repository, with the hook's own environment (kehu installed) on PATH."""
    hook = next(h for h in yaml.safe_load(HOOKS.read_text(encoding="utf-8")) if h["id"] == "kehu-check")
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("records/customers/2026/C2026-0001.yaml") and files.search("schemas/customer.schema.json")
    assert not files.search("README.md")
    r = records(tmp_path / "company")
    git(r.root, "init", "-q")
    git(r.root, "add", "-A")
    env = {**os.environ, "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
           "GIT_CONFIG_GLOBAL": os.devnull}

    def hook_run():
        return subprocess.run(shlex.split(hook["entry"]), cwd=r.root, env=env, capture_output=True, text=True,
                              timeout=120)

    clean = hook_run()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    broken = broken_customer(r)
    git(r.root, "add", "-A")
    bad = hook_run()
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert broken.relative_to(r.root).as_posix() in bad.stdout
    assert "Traceback" not in bad.stderr
    broken.unlink()
    assert hook_run().returncode == 0


# --- what the templates had to work around in kehu itself --------------------------------------

def test_owner_adding_a_visit_can_pass_codeowners_check_and_review(tmp_path):
    r = records(tmp_path / "company")
    env = {**os.environ, "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
           "GIT_CONFIG_GLOBAL": os.devnull}

    def kehu(*args):
        return subprocess.run(["kehu", *args], cwd=r.root, env=env, capture_output=True, text=True).returncode

    assert kehu("codeowners") == 0
    pr_git(r.root, "init", "-q")
    pr_commit(r.root, "records", author="sunmin", when=shanghai(6, "12:00:00").isoformat())
    pr_git(r.root, "checkout", "-q", "-b", "change")
    own_visit(r)
    pr_commit(r.root, "visit", when=shanghai(2, "10:00:00").isoformat())
    trusted = ("--author", "gh-liuyang", "--received-at", shanghai(2, "10:30:00").isoformat())
    as_is = kehu("codeowners", "--check") == 0 and kehu("review", "--base", "main", *trusted) == 0
    assert kehu("codeowners") == 0
    pr_commit(r.root, "regenerate CODEOWNERS", when=shanghai(2, "10:01:00").isoformat())
    regenerated = kehu("codeowners", "--check") == 0 and kehu("review", "--base", "main", *trusted) == 0
    assert as_is or regenerated


# --- the CI key for sealed records -------------------------------------------------------------

def test_only_main_branch_jobs_can_hold_the_ci_key():
    """A pull request runs the branch's own copy of the workflow: a job it runs that held the
    key could print it. The key lives in a GitHub environment deployable from main / a
    protected GitLab variable, and only jobs that run for main name it."""
    for name, job in load(GITHUB)["jobs"].items():
        text = yaml.safe_dump(job, allow_unicode=True)
        if "KEHU_AGE_KEY" in text:
            assert job["if"] == "github.event_name == 'push'" and job["environment"] == "kehu-main", name
    assert {name for name, job in load(GITHUB)["jobs"].items() if "KEHU_AGE_KEY" in str(job)} == {"main", "site"}
    gitlab = {name: job for name, job in load(GITLAB).items() if isinstance(job, dict) and "KEHU_AGE_KEY" in str(job)}
    assert set(gitlab) == {"kehu-main-check", "kehu-site"}
    for job in gitlab.values():
        assert [rule["if"] for rule in job["rules"]] == [ON_MAIN]
        assert job["variables"]["KEHU_AGE_IDENTITY"] == "$KEHU_AGE_KEY"


@pytest.mark.parametrize("job", ["main", "site"])
def test_github_key_step_hands_kehu_a_private_key_file(job, tmp_path):
    import pyrage

    from kehu import sealing

    step = next(s for s in load(GITHUB)["jobs"][job]["steps"] if "KEHU_AGE_KEY" in str(s.get("env", {})))
    key = pyrage.x25519.Identity.generate()
    github_env, runner_temp = tmp_path / "github-env", tmp_path / "runner-temp"
    runner_temp.mkdir()
    github_env.write_text("", encoding="utf-8")
    base = {"PATH": os.environ["PATH"], "GITHUB_ENV": str(github_env), "RUNNER_TEMP": str(runner_temp)}
    ran = run_script(step["run"], tmp_path, {**base, "KEHU_AGE_KEY": f"# created: CI\n{key}"}, tmp_path, "key")
    assert ran.code == 0, ran
    name, _, value = github_env.read_text(encoding="utf-8").strip().partition("=")
    assert name == "KEHU_AGE_IDENTITY"
    path = Path(value)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # readable by the job's user only
    os.environ[sealing.IDENTITY_ENV] = str(path)
    try:
        assert [str(i.to_public()) for i in sealing.identities()] == [str(key.to_public())]
    finally:
        del os.environ[sealing.IDENTITY_ENV]
    github_env.write_text("", encoding="utf-8")  # no secret set (a fork, or sealing not in use): no key, no error
    ran = run_script(step["run"], tmp_path, {**base, "KEHU_AGE_KEY": ""}, tmp_path, "no key")
    assert ran.code == 0 and github_env.read_text(encoding="utf-8") == ""
