"""What each built page loads (issue 17, Lighthouse): the 录入 form script only where a form
is, Material's own script nowhere, nothing from outside; and, in a real headless chromium,
what replaced Material's script (the table of contents that follows the reader) and the
accessibility fixes of site/overrides/assets/kehu.css. The scores themselves are measured by
bench/lighthouse.py (Lighthouse needs npm; a bench, not a test)."""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chromium import Browser
from conftest import PROJECT
from kehu.site.offline import external_addresses


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "demo"
    run = subprocess.run([sys.executable, "-m", "kehu", "build", "--repo", str(PROJECT), "--today", "2026-11-20",
                          "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def scripts(page: Path) -> list[str]:
    return re.findall(r'<script[^>]*\ssrc="([^"]+)"', page.read_text(encoding="utf-8"))


def test_form_script_only_on_pages_with_a_form_and_materials_script_nowhere(demo):
    site, _ = demo
    pages = sorted(site.rglob("*.html"))
    with_form = [p for p in pages if 'class="kehu-form"' in p.read_text(encoding="utf-8")]
    assert {p.parent.name for p in with_form} == {"customer", "visit", "complaint", "edit"}
    for page in pages:
        loaded = scripts(page)
        assert any(s.endswith("assets/kehu-forms.js") for s in loaded) == (page in with_form), page
        assert not any("javascripts/bundle" in s for s in loaded), page
        if page.name == "index.html":
            assert any(s.endswith("assets/kehu-toc.js") for s in loaded), page


def test_nothing_from_outside_and_prefetch_names_the_site_only(demo):
    site, _ = demo
    assert external_addresses(site) == []
    text = (site / "index.html").read_text(encoding="utf-8")
    rules = json.loads(re.search(r'<script type="speculationrules">(.*?)</script>', text, re.S).group(1))
    assert rules == {"prefetch": [{"where": {"href_matches": "/*"}, "eagerness": "moderate"}]}


def test_a_customer_page_fetches_no_form_script_and_its_form_link_starts_the_form(demo):
    _, url = demo
    with Browser(width=390, height=844, mobile=True) as browser:
        browser.open(url + "customers/C2024-0001/")
        fetched = browser.fetched()
        assert fetched and not [u for u in fetched if "kehu-forms.js" in u or "ajv" in u or "bundle." in u]
        browser.events.clear()
        browser.click("a.kehu-act[href*='forms/visit']")
        browser.wait("document.querySelector('form.kehu-form[data-kind=visit][data-loaded]')")
        assert browser.js("document.querySelector('#f-customer').value") == "C2024-0001"
        assert [u for u in browser.fetched() if u.endswith("assets/kehu-forms.js")]


def test_links_in_text_are_underlined_and_the_footer_line_is_readable(demo):
    _, url = demo
    with Browser() as browser:
        browser.open(url + "customers/C2024-0001/")
        assert browser.js("getComputedStyle(document.querySelector('.md-typeset td a')).textDecorationLine") == "underline"
        assert browser.js("getComputedStyle(document.querySelector('.md-typeset .headerlink')).textDecorationLine") == "none"
        colour = browser.js("getComputedStyle(document.querySelector('.md-footer-meta .md-copyright')).color")
        assert colour == "rgba(255, 255, 255, 0.7)"  # Material's --md-footer-fg-color--light, not --lighter (0.45)


def test_table_of_contents_marks_the_section_being_read(demo):
    _, url = demo
    with Browser(width=1280, height=800) as browser:
        browser.open(url + "reports/weekly/")
        # the heading with the longest section after it, put near the top of the screen
        target = browser.js("""(() => { const hs = Array.from(document.querySelectorAll('.md-content h2[id]'));
            let best = hs[0], gap = 0;
            for (let i = 0; i + 1 < hs.length; i++) {
              const d = hs[i + 1].getBoundingClientRect().top - hs[i].getBoundingClientRect().top;
              if (d > gap) { gap = d; best = hs[i]; }
            }
            window.scrollBy(0, best.getBoundingClientRect().top - innerHeight * 0.1); return best.id; })()""")
        active = ".md-nav--secondary a.md-nav__link--active"
        browser.wait(f"(document.querySelector({json.dumps(active)}) || {{}}).hash === '#{target}'")
        assert browser.js(f"document.querySelectorAll({json.dumps(active)}).length") >= 1
