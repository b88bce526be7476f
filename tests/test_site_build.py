"""`kehu build` turns the records into a site: masked, escaped, offline."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import PROJECT, kehu
from conftest import git as run_git

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def build(repo, *args):
    return kehu("build", *args, repo=repo)


def test_build_masks_escapes_and_stays_offline(repo):
    repo.customer(id="C2026-0002", name="<script>alert(1)</script>", phone="13800138000")
    repo.customer(id="C2026-0003", name="赵秘", phone="13700003333", extra="confidentiality: 绝密\n")
    code, out, err = build(repo)
    assert code == 0, err
    site = repo.root / "_site"
    page = (site / "customers" / "C2026-0002" / "index.html").read_text(encoding="utf-8")
    assert "138****8000" in page and "13800138000" not in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not (site / "customers" / "C2026-0003").exists()
    everything = "".join(p.read_text(encoding="utf-8", errors="replace")
                         for p in site.rglob("*") if p.suffix in (".html", ".js", ".css", ".json"))
    assert "赵秘" not in everything and "C2026-0003" not in everything
    # three customers exist; the 绝密 one is not counted either
    assert "客户 <strong>2</strong> 位" in (site / "index.html").read_text(encoding="utf-8")
    assert not EXTERNAL.findall(everything.replace("http://www.w3.org/", "")), EXTERNAL.findall(everything)[:5]


def test_confidential_customer_shows_only_id_owner_and_stage(repo):
    repo.customer(id="C2026-0002", name="钱机", phone="13700002222", extra="confidentiality: 机密\n")
    code, out, err = build(repo)
    assert code == 0, err
    site = repo.root / "_site"
    page = (site / "customers" / "C2026-0002" / "index.html").read_text(encoding="utf-8")
    assert "刘洋" in page and "咨询" in page
    for secret in ("钱机", "137****2222", "万科城市花园", "闵行区"):
        assert secret not in page
    # in the search index: a row with id, owner and stage, under its id and owner only
    meta = json.loads((site / "assets" / "search" / "meta.json").read_text(encoding="utf-8"))
    shards = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (site / "assets" / "search").glob("*.json")
              if p.name != "meta.json"}
    holding = sorted(name for name, rows in shards.items() if any(row[0] == "C2026-0002" for row in rows))
    [row] = {json.dumps(row, ensure_ascii=False) for rows in shards.values() for row in rows if row[0] == "C2026-0002"}
    row = json.loads(row)
    assert row[1] is None and row[3:5] == [0, 0] and row[6:] == [0, ""]
    assert meta["owners"][row[2]][0] == "刘洋" and meta["stages"][row[5]] == "咨询"
    liuyang = meta["owners"][row[2]][5] + ".json"
    assert holding == sorted([liuyang, "6e3030.json"])  # the owner's shard and n00 (C2026-0002)
    assert "钱机" not in "".join(p.read_text(encoding="utf-8") for p in (site / "assets" / "search").glob("*.json"))


def test_full_build_goes_elsewhere_and_shows_phones(repo):
    code, out, err = build(repo, "--full")
    assert code == 0, err
    page = (repo.root / "_site_full" / "customers" / "C2026-0001" / "index.html").read_text(encoding="utf-8")
    assert "13916052231" in page
    assert not (repo.root / "_site").exists()


def test_rebuild_replaces_the_site_whole(repo):
    assert build(repo)[0] == 0
    stale = repo.root / "_site" / "stale.html"
    stale.write_text("old", encoding="utf-8")
    assert build(repo)[0] == 0
    assert not stale.exists() and (repo.root / "_site" / "index.html").exists()
    assert not list(repo.root.glob(".kehu-build-*")) and not (repo.root / "_site.old").exists()


def test_regenerating_pages_drops_the_page_of_a_deleted_record(repo, tmp_path):
    """What `kehu serve` does on every change: pages of records that are gone go too."""
    from conftest import TODAY
    from kehu.site.build import write_pages

    second = repo.customer(id="C2026-0002", name="李娜", phone="13700001111")
    docs = tmp_path / "docs"
    write_pages(repo.root, TODAY, docs, full=False)
    assert (docs / "customers/C2026-0002.md").is_file() and (docs / "staff/liuyang.md").is_file()
    second.unlink()
    write_pages(repo.root, TODAY, docs, full=False)
    assert not (docs / "customers/C2026-0002.md").exists()
    assert (docs / "customers/C2026-0001.md").is_file() and (docs / "index.md").is_file()


def _processes_mentioning(text: str) -> list[str]:
    """Command lines of the running processes that contain `text`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                continue
            if text in command:
                found.append(command)
    return found


def test_serve_previews_reloads_after_a_record_changes_and_stops_its_children_on_sigterm(repo):
    import signal
    import socket
    import time
    import urllib.error
    import urllib.request

    hidden = repo.customer(id="C2026-0002", name="李娜", phone="13700001111")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kehu", "serve", "--repo", str(repo.root), "--today", "2026-11-20",
                               "--address", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def page(customer="C2026-0001"):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/customers/{customer}/", timeout=5) as response:
                return response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return f"HTTP {error.code}"

    def wait_for(test, seconds=90):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if test():
                    return True
            except OSError:
                pass
            time.sleep(0.5)
        return False

    try:
        assert wait_for(lambda: "王芳" in page()), server.stderr.read1().decode() if server.poll() is not None else "no page"
        assert "李娜" in page("C2026-0002")
        path = repo.root / "records/customers/2026/C2026-0001.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("王芳", "王芳芳"), encoding="utf-8")
        assert wait_for(lambda: "王芳芳" in page())
        assert wait_for(lambda: "王芳芳" in page("2026"))  # the year's list: written again in the background
        hidden.write_text(hidden.read_text(encoding="utf-8") + "confidentiality: 绝密\n", encoding="utf-8")
        assert wait_for(lambda: page("C2026-0002") == "HTTP 404")  # gone from the preview too
        assert _processes_mentioning(f"127.0.0.1:{port}")
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0
    time.sleep(0.5)
    assert not _processes_mentioning(f"127.0.0.1:{port}")  # no mkdocs serve left behind
    said = err.decode("utf-8").replace("\r", "\n")
    lines = [line for line in said.splitlines() if line.strip()]
    assert lines[0].startswith("预览地址：") and any(line.startswith("预览已更新") for line in lines)
    assert all(line.startswith(("预览地址", "预览已更新", "生成客户页面")) for line in lines), lines
    assert "end of life" not in said and "not included in" not in said and "INFO" not in said


def test_customer_page_shows_who_changed_the_record_from_git(repo):
    def git(*args, when):
        run_git(repo.root, *args, when=when, name="刘洋", email="liuyang@hzdecor.cn")

    git("init", "-q", when="2026-11-10T10:00:00+08:00")
    git("add", "-A", when="2026-11-10T10:00:00+08:00")
    git("commit", "-q", "-m", "登记王芳", when="2026-11-10T10:40:00+08:00")
    path = repo.root / "records/customers/2026/C2026-0001.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "notes: 客户要求周末联系\n", encoding="utf-8")
    git("add", "-A", when="2026-11-15T09:00:00+08:00")
    git("-c", "user.name=孙敏", "commit", "-q", "-m", "补充备注", when="2026-11-15T09:05:00+08:00")
    code, out, err = build(repo)
    assert code == 0, err
    page = (repo.root / "_site" / "customers" / "C2026-0001" / "index.html").read_text(encoding="utf-8")
    history = page[page.index("修改记录"):]
    assert history.index("2026-11-15 09:05") < history.index("2026-11-10 10:40")
    assert "孙敏" in history and "补充备注" in history and "登记王芳" in history


def test_a_symlink_among_the_hand_written_pages_is_not_published(repo):
    """A link in site/pages to a 绝密 customer's file (or to /etc/passwd) is skipped, not followed."""
    shutil.copy(PROJECT / "mkdocs.yml", repo.root / "mkdocs.yml")
    shutil.copytree(PROJECT / "site", repo.root / "site")
    secret = repo.customer(id="C2026-0002", name="保密客户", phone="13700002222", extra="confidentiality: 绝密\n")
    os.symlink(secret, repo.root / "site/pages/leak.md")
    os.symlink("/etc", repo.root / "site/pages/etc")
    code, out, err = build(repo)
    assert code == 0, err
    site = repo.root / "_site"
    assert not (site / "leak").exists() and not (site / "etc").exists()
    assert (site / "guide" / "index.html").is_file()  # the regular page is still there
    published = "".join(p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*.html"))
    assert "保密客户" not in published and "13700002222" not in published


def test_out_replaces_only_an_empty_folder_or_an_earlier_site(repo, tmp_path):
    keep = tmp_path / "documents"
    keep.mkdir()
    (keep / "合同.txt").write_text("不能删", encoding="utf-8")
    code, out, err = build(repo, "--out", str(keep))
    assert code == 2 and "不是空目录" in err and (keep / "合同.txt").read_text(encoding="utf-8") == "不能删"
    code, out, err = build(repo, "--out", str(repo.root))
    assert code == 2 and (repo.root / "records").is_dir()
    site = tmp_path / "site"
    assert build(repo, "--out", str(site))[0] == 0 and (site / ".kehu-site").is_file()
    assert build(repo, "--out", str(site))[0] == 0  # an earlier kehu site is replaced


def _site_files(site: Path) -> dict[str, bytes]:
    """Every file of a built site by path; the sitemap's dates (the day of the build) blanked."""
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            content = path.read_bytes()
            if path.name == "sitemap.xml":
                content = re.sub(rb"<lastmod>[^<]*</lastmod>", b"", content)
            if path.name != "sitemap.xml.gz":  # the same dates, compressed
                files[path.relative_to(site).as_posix()] = content
    return files


def test_an_incremental_build_equals_a_clean_build_of_the_same_records(repo, tmp_path, monkeypatch):
    """Reused pages, re-rendered pages, a new page, a page now 绝密 and a tampered page:
    the site kehu builds from the last one is the site a clean build makes."""
    secret = repo.customer(id="C2026-0002", name="李娜", phone="13700001111")
    repo.customer(id="C2026-0003", name="张伟", phone="13700003333", owner="wangli")
    assert build(repo)[0] == 0
    site = repo.root / "_site"
    first = _site_files(site)
    # nothing changed: every page is reused, and the site stays the same
    code, out, err = build(repo)
    assert code == 0 and "重新生成 0 个" in err and _site_files(site) == first
    # one record edited, one customer added, one made 绝密, one unchanged page tampered with
    path = repo.root / "records/customers/2026/C2026-0001.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("王芳", "王芳芳"), encoding="utf-8")
    repo.customer(id="C2026-0004", name="赵敏", phone="13700004444")
    secret.write_text(secret.read_text(encoding="utf-8") + "confidentiality: 绝密\n", encoding="utf-8")
    tampered = site / "rules" / "K301" / "index.html"
    tampered.write_text(tampered.read_text(encoding="utf-8").replace("</body>", "<p>篡改</p></body>"), encoding="utf-8")
    monkeypatch.setenv("KEHU_JOBS", "2")  # the pages to render shared between two MkDocs processes
    code, out, err = build(repo)
    assert code == 0, err
    assert "沿用上次生成的" in err
    incremental = _site_files(site)
    monkeypatch.setenv("KEHU_JOBS", "1")
    assert build(repo, "--out", str(tmp_path / "clean"))[0] == 0  # no earlier build there: every page rendered
    clean = _site_files(tmp_path / "clean")
    assert incremental.keys() == clean.keys()
    assert [name for name in clean if incremental[name] != clean[name]] == []
    assert "customers/C2026-0002/index.html" not in incremental and "customers/C2026-0004/index.html" in incremental
    assert "篡改" not in incremental["rules/K301/index.html"].decode("utf-8")
    assert "李娜" not in "".join(c.decode("utf-8", "replace") for c in incremental.values())
    assert "王芳芳" in incremental["customers/C2026-0001/index.html"].decode("utf-8")


def test_a_clean_kehu_build_is_what_mkdocs_alone_makes_of_the_same_pages(repo, tmp_path, monkeypatch):
    """Rendering through kehu's hook, in several processes, changes nothing in the output."""
    import yaml

    from conftest import TODAY
    from kehu.site.build import _mkdocs_config, write_pages
    from kehu.site.offline import harden

    repo.customer(id="C2026-0002", name="李娜", phone="13700001111")
    monkeypatch.setenv("KEHU_JOBS", "3")
    assert build(repo)[0] == 0
    docs, plain = tmp_path / "docs", tmp_path / "plain"
    base = write_pages(repo.root, TODAY, docs, full=False)
    config = tmp_path / "mkdocs.yml"
    config.write_text(yaml.safe_dump(_mkdocs_config(base, docs, plain), allow_unicode=True), encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config)], capture_output=True,
                         text=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stderr
    harden(plain)
    ours = _site_files(repo.root / "_site")
    ours.pop(".kehu-site")
    alone = _site_files(plain)
    assert ours.keys() == alone.keys()
    assert [name for name in alone if ours[name] != alone[name]] == []


def test_a_damaged_build_manifest_means_a_full_build(repo):
    from kehu import cache

    assert build(repo)[0] == 0
    [manifest] = cache.folder_of(repo.root).glob("site-*.json")
    manifest.write_bytes(manifest.read_bytes().replace(b'"pages"', b'"pagez"'))
    code, out, err = build(repo)
    assert code == 0 and "沿用上次生成的" not in err
    assert build(repo)[2].count("重新生成 0 个") == 1  # the full build wrote a whole manifest again


def test_serve_drops_a_background_write_older_than_the_records_in_memory(repo, tmp_path):
    """Two quick edits: the second one's customer page is written at once; the background
    rewrite of every page made for the first edit starts later and must not put the first
    edit's page back."""
    from datetime import date

    from kehu.site.live import Session

    repo.customer(id="C2026-0002", name="李娜", phone="13700001111")
    docs = tmp_path / "docs"
    docs.mkdir()
    session = Session(repo.root, date(2026, 11, 20), docs, False, repo.root)
    session.refresh()
    path = repo.root / "records/customers/2026/C2026-0001.yaml"
    page = docs / "customers/C2026-0001.md"

    def rename(old, new):
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))  # a new mtime even within one tick
        session.refresh()
        rest, session.rest = session.rest, None
        return rest

    first = rename("王芳", "王芳芳")
    assert first is not None and "王芳芳" in page.read_text(encoding="utf-8")
    second = rename("王芳芳", "王小芳")
    session._write_rest(*first)  # the first edit's background write, arriving late
    assert "王小芳" in page.read_text(encoding="utf-8")
    session._write_rest(*second)
    assert "王小芳" in page.read_text(encoding="utf-8")
    assert "王小芳" in (docs / "customers/2026.md").read_text(encoding="utf-8")
