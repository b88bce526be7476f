"""`kehu notify`: the daily digest, sent to a real SMTP server running in this process
(aiosmtpd), read back as the recipients' mail programs would read it."""

from __future__ import annotations

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from conftest import kehu
from test_todo import company  # noqa: F401  (the fixture: duties for liuyang, wangli, zhouhui, chenjing)

ADDRESSES = {"sunmin": "sunmin@hz.example", "liuyang": "liuyang@hz.example", "wangli": "wangli@hz.example",
             "chenjing": "chenjing@hz.example"}  # zhouhui has none


class Inbox:
    """What the server received: (envelope sender, envelope recipients, parsed message)."""

    def __init__(self):
        self.received = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address.startswith("bounce"):
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    def to(self, address):
        return [m for _, rcpt, m in self.received if m["To"].addresses[0].addr_spec == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, f"127.0.0.1:{controller.port}"
    controller.stop()


@pytest.fixture
def mailed(company):  # noqa: F811
    for staff_id, address in ADDRESSES.items():
        path = company.root / f"records/staff/{staff_id}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + f"email: {address}\n", encoding="utf-8")
    company.write("records/policy.yaml", "reclaim_after_days: 60\nmanager_of: {市场拓展部: sunmin}\n")
    return company


def notify(repo, smtp, *args, today="2026-11-20"):
    return kehu("notify", "--smtp", smtp, "--from", "kehu@hz.example", *args, repo=repo, today=today)


def test_one_digest_per_person_with_duties_in_chinese_text_and_html(mailed, server):
    inbox, smtp = server
    code, out, err = notify(mailed, smtp)
    assert code == 0, err
    assert sorted(m["To"].addresses[0].addr_spec for _, _, m in inbox.received) == [
        "chenjing@hz.example", "liuyang@hz.example", "wangli@hz.example"]
    assert "周慧（zhouhui）没有邮箱" in err and "已发送 3 封" in err
    [message] = inbox.to("liuyang@hz.example")
    assert message["Subject"] == "【客户档案】刘洋 11 月 20 日待办 2 项"
    assert message["From"] == "kehu@hz.example" and message["To"].addresses[0].display_name == "刘洋"
    text = message.get_body(("plain",)).get_content()
    assert "截至 2026-11-20，你有 2 项待办" in text
    assert text.index("【紧急】2026-11-22（还剩 2 天）公海倒计时：C2026-0002 王芳") < text.index("2026-11-24（还剩 4 天）约定联系")
    assert "档案：records/customers/2026/C2026-0002.yaml 第 11 行（K402）" in text
    page = message.get_body(("html",)).get_content()
    assert 'style="color:#c62828;font-weight:bold">2026-11-22' in page and "C2026-0002 王芳" in page


def test_the_manager_is_copied_on_duties_overdue_more_than_three_days(mailed, server):
    inbox, smtp = server
    assert notify(mailed, smtp)[0] == 0
    [(_, recipients, message)] = [r for r in inbox.received if r[2]["To"].addresses[0].addr_spec == "wangli@hz.example"]
    assert message["Cc"].addresses[0].addr_spec == "sunmin@hz.example" and "sunmin@hz.example" in recipients
    assert "本邮件已抄送 孙敏" in message.get_body(("plain",)).get_content()
    assert message["Subject"] == "【客户档案】王丽 11 月 20 日待办 1 项，1 项已超期"
    [(_, recipients, message)] = [r for r in inbox.received if r[2]["To"].addresses[0].addr_spec == "liuyang@hz.example"]
    assert message["Cc"] is None and recipients == ["liuyang@hz.example"]  # nothing of his is overdue


def test_a_staff_members_own_manager_comes_before_the_departments(mailed, server):
    inbox, smtp = server
    path = mailed.root / "records/staff/wangli.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "manager: liuyang\n", encoding="utf-8")
    assert notify(mailed, smtp)[0] == 0
    [message] = inbox.to("wangli@hz.example")
    assert message["Cc"].addresses[0].addr_spec == "liuyang@hz.example"


def test_a_second_run_the_same_day_mails_no_one_twice(mailed, server):
    inbox, smtp = server
    assert notify(mailed, smtp)[0] == 0
    code, _, err = notify(mailed, smtp)
    assert code == 0 and len(inbox.received) == 3 and "已发送 0 封" in err and "3 位今天已发过，未重发" in err
    assert notify(mailed, smtp, today="2026-11-23")[0] == 0  # Monday: a new day, new mail
    assert len(inbox.received) == 6


def test_a_refused_mailbox_is_retried_by_the_next_run_and_the_others_are_not(mailed, server):
    inbox, smtp = server
    path = mailed.root / "records/staff/chenjing.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("chenjing@hz.example", "bounce@hz.example"), encoding="utf-8")
    code, _, err = notify(mailed, smtp)
    assert code == 1 and "服务器拒收：chenjing" in err and len(inbox.received) == 2
    path.write_text(path.read_text(encoding="utf-8").replace("bounce@hz.example", "chenjing@hz.example"), encoding="utf-8")
    assert notify(mailed, smtp)[0] == 0
    assert len(inbox.received) == 3 and inbox.to("chenjing@hz.example")


def test_dry_run_shows_the_mail_and_sends_nothing(mailed, server):
    inbox, smtp = server
    code, out, err = notify(mailed, smtp, "--dry-run")
    assert code == 0 and inbox.received == []
    assert "To: 王丽 <wangli@hz.example>\nCc: 孙敏 <sunmin@hz.example>\nSubject: 【客户档案】王丽" in out
    assert "演习：会发 3 封" in err
    assert notify(mailed, smtp)[0] == 0 and len(inbox.received) == 3  # the dry run did not fill the journal


def test_nothing_is_sent_on_a_day_off(mailed, server):
    inbox, smtp = server
    code, _, err = notify(mailed, smtp, today="2026-10-02")  # National Day
    assert code == 0 and inbox.received == [] and "2026-10-02 不是工作日" in err
    assert notify(mailed, smtp, today="2026-10-10")[0] == 0 and inbox.received  # a make-up working Saturday


def test_digests_are_masked_like_the_site(mailed, server):
    inbox, smtp = server
    path = mailed.root / "records/customers/2026/C2026-0002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 王芳", "name: 赵雪 13912345678")
                    + "confidentiality: 机密\n", encoding="utf-8")
    path = mailed.root / "records/customers/2026/C2026-0003.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 王芳", "name: 钱多 13812345678"), encoding="utf-8")
    assert notify(mailed, smtp)[0] == 0
    [message] = inbox.to("liuyang@hz.example")
    shown = message["Subject"] + "".join(message.get_body((kind,)).get_content() for kind in ("plain", "html"))
    assert "赵雪" not in shown and "13912345678" not in shown
    assert "公海倒计时：C2026-0002\n    公海倒计时" in message.get_body(("plain",)).get_content()
    [message] = inbox.to("wangli@hz.example")
    text = message.get_body(("plain",)).get_content()
    assert "C2026-0003 钱多 138****5678" in text and "13812345678" not in text


def test_a_name_cannot_add_headers_or_recipients(mailed, server):
    inbox, smtp = server
    path = mailed.root / "records/staff/liuyang.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 刘洋", 'name: "刘洋\\nBcc: thief@evil.example"'),
                    encoding="utf-8")
    path = mailed.root / "records/customers/2026/C2026-0002.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: 王芳", "name: <script>alert(1)</script>"),
                    encoding="utf-8")
    assert notify(mailed, smtp)[0] == 0
    assert all("thief@evil.example" not in recipients for _, recipients, _ in inbox.received)
    [message] = inbox.to("liuyang@hz.example")
    assert message["Bcc"] is None and message["To"].addresses[0].display_name == "刘洋 Bcc: thief@evil.example"
    page = message.get_body(("html",)).get_content()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_unreachable_server_is_a_sentence(mailed):
    code, _, err = notify(mailed, f"127.0.0.1:{free_port()}")
    assert code == 2 and "连不上 SMTP 服务器 127.0.0.1:" in err
    code, _, err = notify(mailed, "smtp.example.com")
    assert code == 2 and "应写成 主机:端口" in err


# --- STARTTLS and login --------------------------------------------------------------------

@pytest.fixture
def tls_server(tmp_path):
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    context = __import__("ssl").create_default_context(__import__("ssl").Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    inbox = Inbox()

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"kehu-bot" and auth_data.password == b"s3cret"
        if ok:
            inbox.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True,
                            authenticator=authenticate, auth_require_tls=True)
    controller.start()
    yield inbox, f"127.0.0.1:{controller.port}", ca_file
    controller.stop()


def test_starttls_and_login_when_the_server_offers_them(mailed, tls_server, monkeypatch):
    inbox, smtp, ca_file = tls_server
    monkeypatch.setenv("KEHU_SMTP_CAFILE", str(ca_file))
    monkeypatch.setenv("KEHU_SMTP_USER", "kehu-bot")
    monkeypatch.setenv("KEHU_SMTP_PASSWORD", "s3cret")
    code, _, err = notify(mailed, smtp)
    assert code == 0, err
    assert inbox.logins == ["kehu-bot"] and len(inbox.received) == 3
    monkeypatch.setenv("KEHU_SMTP_PASSWORD", "wrong")
    code, _, err = notify(mailed, smtp, today="2026-11-23")
    assert code == 2 and "SMTP 登录被拒绝" in err and len(inbox.received) == 3


def test_a_certificate_nobody_vouches_for_is_refused(mailed, tls_server, monkeypatch):
    inbox, smtp, _ = tls_server
    monkeypatch.delenv("KEHU_SMTP_CAFILE", raising=False)
    code, _, err = notify(mailed, smtp)
    assert code == 2 and "CERTIFICATE_VERIFY_FAILED" in err and inbox.received == []


# --- the CI templates' morning job, run as the runner would run it --------------------------

def _runner_path(tmp_path):
    """PATH with the installed kehu and a `date` that answers the template's question for a
    chosen day (the runner's clock is the one thing a test cannot set)."""
    from test_ci_templates import VENV_BIN

    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "date").write_text('#!/bin/sh\n[ "$*" = "-u -d +8 hours +%F" ] || exit 9\necho "$KEHU_TEST_DAY"\n')
    (fake / "date").chmod(0o755)
    return f"{fake}:{VENV_BIN}:/usr/bin:/bin"


@pytest.mark.parametrize("day,mails", [("2026-11-20", 3), ("2026-11-21", 0)])  # a Friday, a Saturday
def test_the_github_morning_job_mails_on_working_days(mailed, server, tmp_path, day, mails):
    from test_ci_templates import GITHUB, load, run_script

    inbox, smtp = server
    [step] = [s for s in load(GITHUB)["jobs"]["digest"]["steps"] if "kehu notify" in s.get("run", "")]
    values = {"secrets.KEHU_SMTP_SERVER": smtp, "secrets.KEHU_SMTP_USER": "", "secrets.KEHU_SMTP_PASSWORD": "",
              "vars.KEHU_MAIL_FROM": "kehu@hz.example"}
    env = {name: values[value.strip("${} ")] for name, value in step["env"].items()}
    env.update(PATH=_runner_path(tmp_path), KEHU_TEST_DAY=day, HOME=str(tmp_path))
    ran = run_script(step["run"], mailed.root, env, tmp_path, "digest")
    assert ran.code == 0, ran.stderr
    assert len(inbox.received) == mails
    ran = run_script(step["run"], mailed.root, env, tmp_path, "digest again")  # a retried job
    assert ran.code == 0 and len(inbox.received) == mails


def test_the_gitlab_scheduled_job_mails(mailed, server, tmp_path):
    from test_ci_templates import GITLAB, load, run_script

    inbox, smtp = server
    [line] = load(GITLAB)["kehu-digest"]["script"]
    env = {"KEHU_SMTP_SERVER": smtp, "KEHU_MAIL_FROM": "kehu@hz.example", "PATH": _runner_path(tmp_path),
           "KEHU_TEST_DAY": "2026-11-20", "HOME": str(tmp_path)}
    ran = run_script(line, mailed.root, env, tmp_path, "kehu-digest")
    assert ran.code == 0, ran.stderr
    assert sorted(m["To"].addresses[0].addr_spec for _, _, m in inbox.received) == [
        "chenjing@hz.example", "liuyang@hz.example", "wangli@hz.example"]
