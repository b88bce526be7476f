"""How heavy the site's long lists are: bytes, rows and load time in headless chromium.

    python bench/lists.py SITE [PAGE ...]     (SITE: a built site, e.g. bench/site.py's output)

Without PAGE: every year or month list under customers/, the pool and the three largest
staff pages. For each, at 1280 px and at 390 px (phone): the HTML bytes, the table rows,
the seconds until kehu-tables.js has set up the list, the seconds one choice-box filter
takes, and whether the page scrolls sideways. Served over HTTP from this process.
"""

from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from chromium import Browser  # noqa: E402  (tests/chromium.py: Debian's chromium over a pipe)

FILTER = ("(() => { const s = document.querySelector('.kehu-table select'); if (!s) return;"
          " s.value = s.options[Math.min(2, s.options.length - 1)].value; s.dispatchEvent(new Event('change')); })()")


def pages(site: Path) -> list[str]:
    lists = sorted(p.parent for p in site.glob("customers/*/index.html") if re.fullmatch(r"\d{4}(-\d\d)?", p.parent.name))
    staff = sorted(site.glob("staff/*/index.html"), key=lambda p: -p.stat().st_size)[:3]
    return [f"{p.relative_to(site)}/" for p in lists] + ["pool/"] + [f"{p.parent.relative_to(site)}/" for p in staff]


def main() -> None:
    site = Path(sys.argv[1]).resolve()
    wanted = sys.argv[2:] or pages(site)
    http.server.SimpleHTTPRequestHandler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    print("| page | width | bytes | rows | ready | one filter | sideways |\n|---|---|---|---|---|---|---|")
    try:
        for width in (1280, 390):
            with Browser(width, 900, mobile=width < 500) as browser:
                for page in wanted:
                    html = (site / page / "index.html").read_text(encoding="utf-8")
                    started = time.monotonic()
                    browser.open(url + page)
                    browser.wait("document.readyState === 'complete'", timeout=120)
                    ready = time.monotonic() - started
                    started = time.monotonic()
                    browser.js(FILTER)
                    filtered = time.monotonic() - started
                    wide, inner = browser.js("[document.scrollingElement.scrollWidth, innerWidth]")
                    print(f"| {page} | {width} | {len(html.encode()):,} | {html.count('<tr>') - html.count('<thead>')} | "
                          f"{ready:.2f} s | {filtered:.3f} s | {'yes' if wide > inner else 'no'} |", flush=True)
    finally:
        server.shutdown()


if __name__ == "__main__":
    main()
