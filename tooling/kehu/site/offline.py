"""The built site makes no request outside itself.

MkDocs + Material, with `theme.font: false` and no search plugin, loads nothing from
outside; what is left are strings in Material's bundle that would reach the internet in
cases kehu never triggers (a polyfill for browsers without ResizeObserver, Mermaid, GitHub
repository facts) and licence URLs in comments. They are neutralised here, and the search
assets kehu does not use are removed, so a scan of the site finds no external address.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

# XML namespaces (SVG, the sitemap Material's instant navigation reads) are identifiers, never fetched
# an address with a scheme, or a protocol-relative one as an attribute or string value
EXTERNAL = re.compile(r"(?:https?:|(?<=[\"'(=]))//(?!www\.w3\.org/2000/svg|www\.sitemaps\.org/schemas/)[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.I)
LOCAL = "./kehu-offline/"
REWRITES = (
    ("https://unpkg.com/", LOCAL),  # polyfill / Mermaid loaders: never on modern browsers, no diagrams
    ("https://api.github.com/", LOCAL),  # repository facts: only with repo_url, which kehu never sets
    ("https://fontawesome.com/license/free", "fontawesome.com/license/free"),  # licence comments
    ("https://fontawesome.com", "fontawesome.com"),
    ("https://clipboardjs.com/", "clipboardjs.com/"),
)
UNUSED = ("assets/javascripts/lunr", "assets/javascripts/workers")



def harden(site: Path, unchanged: set[str] = frozenset()) -> list[str]:
    """Neutralise external addresses in the built site; returns any that remain. The pages
    in `unchanged` ("/"-separated, relative to the site) were scanned when they were built."""
    for folder in UNUSED:
        shutil.rmtree(site / folder, ignore_errors=True)
    for source_map in site.rglob("*.map"):
        source_map.unlink()
    for path in site.rglob("*"):
        if path.suffix not in (".js", ".css"):
            continue
        text = path.read_text(encoding="utf-8")
        changed = text
        for old, new in REWRITES:
            changed = changed.replace(old, new)
        if changed != text:
            path.write_text(changed, encoding="utf-8")
    return external_addresses(site, unchanged)


def external_addresses(site: Path, unchanged: set[str] = frozenset()) -> list[str]:
    found = []
    for path in site.rglob("*"):
        if path.suffix in (".html", ".js", ".css", ".json", ".xml") and (
                not unchanged or path.relative_to(site).as_posix() not in unchanged):
            for match in EXTERNAL.finditer(path.read_text(encoding="utf-8", errors="replace")):
                found.append(f"{path.relative_to(site)}: {match.group(0)}")
    return found
