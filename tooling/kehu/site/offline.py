"""The built site makes no request outside itself.

MkDocs + Material, with `theme.font: false` and no search plugin, loads nothing from
outside; what is left are strings in Material's bundle that would reach the internet in
cases kehu never triggers (a polyfill for browsers without ResizeObserver, Mermaid, GitHub
repository facts) and licence URLs in comments. They are neutralised here, and the search
assets kehu does not use are removed, so a scan of the site finds no external address.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

# XML namespaces (SVG, the sitemap Material's instant navigation reads) and JSON Schema ids (the
# schemas' $schema, the meta-schemas inside the forms' validator) are identifiers, never fetched
IDENTIFIERS = (r"www\.w3\.org/2000/svg", r"www\.sitemaps\.org/schemas/", r"json-schema\.org/(?:draft/2020-12/|schema\b)",
               r"raw\.githubusercontent\.com/ajv-validator/ajv/master/lib/refs/data\.json")
# an address with a scheme, or a protocol-relative one as an attribute or string value
EXTERNAL = re.compile(rf"(?:https?:|(?<=[\"'(=]))//(?!{'|'.join(IDENTIFIERS)})[a-z0-9-]+(?:\.[a-z0-9-]+)+", re.I)
LOCAL = "./kehu-offline/"
REWRITES = (
    ("https://unpkg.com/", LOCAL),  # polyfill / Mermaid loaders: never on modern browsers, no diagrams
    ("https://api.github.com/", LOCAL),  # repository facts: only with repo_url, which kehu never sets
    ("https://fontawesome.com/license/free", "fontawesome.com/license/free"),  # licence comments
    ("https://fontawesome.com", "fontawesome.com"),
    ("https://clipboardjs.com/", "clipboardjs.com/"),
)
FORMS_CONFIG = "assets/kehu-forms/forms.json"
UNUSED = ("assets/javascripts/lunr", "assets/javascripts/workers")



def harden(site: Path) -> list[str]:
    """Neutralise external addresses in the built site; returns any that remain."""
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
    return external_addresses(site)


def external_addresses(site: Path) -> list[str]:
    found = []
    allowed = link_targets(site)
    for path in site.rglob("*"):
        if path.suffix in (".html", ".js", ".css", ".json", ".xml"):
            for match in EXTERNAL.finditer(path.read_text(encoding="utf-8", errors="replace")):
                if match.group(0) not in allowed:
                    found.append(f"{path.relative_to(site)}: {match.group(0)}")
    return found


def link_targets(site: Path) -> tuple[str, ...]:
    """The one place outside the site a page may send someone (a link, never a load): the code
    host named in kehu.yaml, whose new-file page the 录入 forms open (kehu/site/forms.py)."""
    try:
        host = json.loads((site / FORMS_CONFIG).read_text(encoding="utf-8")).get("code_host")
    except (OSError, ValueError, AttributeError):
        return ()
    address = EXTERNAL.match(host["url"]) if isinstance(host, dict) and isinstance(host.get("url"), str) else None
    return (address.group(0),) if address else ()
