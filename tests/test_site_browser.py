"""The built site in a real headless browser (Debian chromium), served over HTTP."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import PROJECT
from kehu.site.offline import external_addresses

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "demo"
    run = subprocess.run([sys.executable, "-m", "kehu", "build", "--repo", str(PROJECT), "--today", "2026-11-20",
                          "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def browser(url: str, tmp_path: Path, screenshot: Path | None = None) -> str:
    """The DOM after the page's scripts ran (or a screenshot of it)."""
    assert CHROMIUM, "chromium is not installed (apt-get install chromium; .ci/run does it)"
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=8000", "--window-size=1280,900"]
    args += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
    run = subprocess.run([*args, url], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_dashboard_renders_its_charts(demo_site, tmp_path):
    out, url = demo_site
    dom = browser(url, tmp_path)
    assert len(re.findall(r'<figure class="kehu-chart[ "]', dom)) >= 7 and "<svg" in dom
    assert "客户按阶段" in dom and "咨询 → 签约 转化" in dom
    shot = tmp_path / "dashboard.png"
    browser(url, tmp_path, screenshot=shot)
    assert shot.stat().st_size > 20_000


def results(dom: str) -> str:
    """The search results panel of a dumped page."""
    return dom.split('id="kehu-search-results"', 1)[1].split("</main>", 1)[0]


@pytest.mark.parametrize("query", ["wf", "王芳", "wangfang", "芳", "万科城市花园"])
def test_search_finds_wang_fang(demo_site, tmp_path, query):
    """?q= in the address (where the box's form goes without scripts) runs the search;
    tests/test_site_search.py types queries into the box."""
    out, url = demo_site
    panel = results(browser(f"{url}?q={query}", tmp_path))
    assert '/customers/C2025-0014/"><span class="kehu-search__title"><span class="kehu-search__id">C2025-0014</span> 王芳' in panel, query


def test_search_by_staff_name(demo_site, tmp_path):
    out, url = demo_site
    assert "/staff/liuyang/" in results(browser(f"{url}?q=刘洋", tmp_path))


def test_customer_page_masks_the_phone(demo_site, tmp_path):
    out, url = demo_site
    dom = browser(f"{url}customers/C2025-0014/", tmp_path)
    assert "139****2231" in dom and "13916052231" not in dom


def test_no_external_address_anywhere(demo_site):
    out, _ = demo_site
    assert external_addresses(out) == []


def test_script_in_a_name_stays_text(repo, tmp_path):
    repo.customer(id="C2026-0002", phone="13700002222",
                  name="<script>document.title='pwned'</script>[点我](javascript:alert(1))")
    run = subprocess.run([sys.executable, "-m", "kehu", "build", "--repo", str(repo.root), "--today", "2026-11-20"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    site = repo.root / "_site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for url in (f"{base}customers/C2026-0002/", f"{base}?q=script", f"{base}customers/2026/"):
            dom = browser(url, tmp_path)
            assert "<title>pwned</title>" not in dom and "<script>document.title" not in dom, url
            assert 'href="javascript:' not in dom, url
        assert "&lt;script&gt;document.title='pwned'&lt;/script&gt;" in browser(f"{base}customers/C2026-0002/", tmp_path)
    finally:
        server.shutdown()
