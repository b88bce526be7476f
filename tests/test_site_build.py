"""`kehu build` turns the records into a site: masked, escaped, offline."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

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


def test_serve_previews_and_reloads_after_a_record_changes(repo):
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "kehu", "serve", "--repo", str(repo.root), "--today", "2026-11-20",
                               "--address", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def page():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/customers/C2026-0001/", timeout=5) as response:
            return response.read().decode("utf-8")

    def wait_for(text, seconds=90):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if text in page():
                    return True
            except OSError:
                pass
            time.sleep(1)
        return False

    try:
        assert wait_for("王芳"), server.stderr.read1().decode() if server.poll() is not None else "no page"
        path = repo.root / "records/customers/2026/C2026-0001.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("王芳", "王芳芳"), encoding="utf-8")
        assert wait_for("王芳芳")
    finally:
        server.terminate()
        server.wait(timeout=20)


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
