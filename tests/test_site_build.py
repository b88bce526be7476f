"""`kehu build` turns the records into a site: masked, escaped, offline."""

from __future__ import annotations

import re
import subprocess
import sys

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


def build(repo, *args):
    run = subprocess.run([sys.executable, "-m", "kehu", "build", "--repo", str(repo.root), "--today", "2026-11-20", *args],
                         capture_output=True, text=True)
    return run.returncode, run.stdout, run.stderr


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
                         for p in site.rglob("*") if p.suffix in (".html", ".js", ".css"))
    assert "赵秘" not in everything
    assert not EXTERNAL.findall(everything.replace("http://www.w3.org/", "")), EXTERNAL.findall(everything)[:5]


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
