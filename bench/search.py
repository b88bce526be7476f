"""Time the site's search in headless chromium on the 20,000-customer site, and weigh what
each search fetches.

    python bench/site.py                  # builds bench/out/N20000/_site (after bench/run.py)
    python bench/search.py [--site bench/out/N20000/_site] [--rounds 3]

For every query: a fresh customer page with the browser cache off (nothing of the index
loaded yet), the query typed into the box (committed at once, as an input method does, or
letter by letter), then the time from typing to the first result on screen and the bytes
the page fetched from assets/search/ meanwhile (meta.json and the shards). Markdown tables
go to stdout; copy them into bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from chromium import Browser  # noqa: E402  (tests/chromium.py: the DevTools protocol over a pipe)

QUERIES = [  # (query, what it stands for)
    ("王", "a surname alone (1,549 customers, the colleague 王力)"),
    ("王芳", "a full name"),
    ("芳", "one character of a name"),
    ("wangfang", "full pinyin"),
    ("wf", "initials"),
    ("张伟", "a colleague: their 4,368 customers (the largest owner)"),
    ("li", "two letters (the largest pinyin shard)"),
    ("园", "a character in many 小区 (6,421 customers)"),
    ("万科城市花园", "a 小区"),
    ("C2025-0014", "an id"),
    ("0014", "an id's number"),
    ("K301", "a rule"),
    ("张伟 签约", "a colleague and a stage"),
]
TYPED = ["wangfang", "zhangwei"]  # typed letter by letter: every keystroke searches


def serve(folder: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def first_customer(site: Path) -> str:
    return next(p.parent.name for p in sorted((site / "customers").glob("C*/index.html")))


def measure(browser: Browser, page: str, query: str, letters: bool = False) -> tuple[float, int, int, str]:
    """(ms from typing to the first result, bytes fetched from assets/search/, files, status)."""
    browser.open(page, cache=False)
    browser.js("document.getElementById('kehu-search-q').focus()")
    browser.js("window.kehuTyped = performance.now()")
    for part in (query if letters else [query]):
        browser.type(part)
    browser.wait(f"document.getElementById('kehu-search-results').dataset.query === {json.dumps(query)}", timeout=60)
    elapsed = browser.js("performance.now() - window.kehuTyped")
    fetched = browser.fetched("/assets/search/")
    status = browser.js("document.getElementById('kehu-search-status').textContent")
    return elapsed, sum(fetched.values()), len(fetched), status


def index_table(folder: Path) -> list[str]:
    sizes = sorted((p.stat().st_size, p.name) for p in folder.glob("*.json") if p.name != "meta.json")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    total = sum(s for s, _ in sizes) + (folder / "meta.json").stat().st_size
    return [
        "| index | value |", "|---|---|",
        f"| customers in the index | {meta['customers']:,} |",
        f"| files (meta.json + shards) | {len(sizes) + 1:,} |",
        f"| all files together | {total / 2**20:.1f} MB |",
        f"| meta.json (fetched once, on the first search) | {(folder / 'meta.json').stat().st_size / 1024:.1f} KB |",
        f"| shard size: median / 90th percentile / largest | {statistics.median(s for s, _ in sizes) / 1024:.1f} KB / "
        f"{sizes[int(len(sizes) * 0.9)][0] / 1024:.1f} KB / {sizes[-1][0] / 1024:.0f} KB |",
        f"| bytes per customer row in a shard | {meta['row']} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", type=Path, default=HERE / "out" / "N20000" / "_site")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not (args.site / "assets" / "search" / "meta.json").is_file():
        sys.exit(f"no sharded search index under {args.site}: run bench/run.py, then bench/site.py")
    print("\n".join(index_table(args.site / "assets" / "search")), end="\n\n")
    server, url = serve(args.site)
    page = f"{url}customers/{first_customer(args.site)}/"
    rows = ["| query | what | first result (ms, median of runs) | slowest run (ms) | fetched | files | shown |",
            "|---|---|---|---|---|---|---|"]
    try:
        with Browser() as browser:
            for query, what in QUERIES + [(q, "typed letter by letter") for q in TYPED]:
                runs = [measure(browser, page, query, letters=what.startswith("typed")) for _ in range(args.rounds)]
                times = [r[0] for r in runs]
                _, size, files, status = runs[-1]
                rows.append(f"| `{query}` | {what} | {statistics.median(times):.0f} | {max(times):.0f} | "
                            f"{size / 1024:.0f} KB | {files} | {status} |")
                print(rows[-1], file=sys.stderr, flush=True)
    finally:
        server.shutdown()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
