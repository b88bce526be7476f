"""Hostile records, privacy on every output (SPEC §6, §10): what the default site, `kehu report`
and `kehu export` show of a record -- and what only `--full` shows."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from conftest import TODAY, kehu

PHONE, MASKED_PHONE = "13812345678", "138****5678"
ID_CARD, MASKED_ID = "11010519491231002X", "110105********002X"  # a valid 身份证 number (check character X)
SCRIPT_NAME = "李娜</title><script>alert(1)</script>"


def build(repo, *args) -> Path:
    code, out, err = kehu("build", *args, repo=repo)
    assert code == 0, err
    return repo.root / ("_site_full" if "--full" in args else "_site")


def site_text(site: Path) -> str:
    return "".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(site.rglob("*"))
                   if p.suffix in (".html", ".json", ".js"))


def pages(repo, tmp_path, full=False, findings=None) -> dict[str, str]:
    """The generated Markdown pages (no MkDocs): relative path -> text."""
    from kehu.check import Settings, run_check
    from kehu.site.pages import generate

    result = run_check(Settings(repo.root, TODAY))
    out = tmp_path / ("full" if full else "masked")
    generate(result.repo, result.findings if findings is None else findings(result), out, full=full)
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*") if p.is_file()}


class Elements(HTMLParser):
    """The document <title> (not an SVG chart's), the inline scripts and the event-handler
    attributes of one HTML page, as a browser would parse them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.titles, self.scripts, self.handlers, self._in, self._svg = [], [], [], None, 0

    def handle_starttag(self, tag, attrs):
        self._svg += tag == "svg"
        self._in = tag if tag == "script" or (tag == "title" and not self._svg) else None
        if self._in == "title":
            self.titles.append("")
        if tag == "script":
            self.scripts.append("")
        self.handlers += [value for name, value in attrs if name.startswith("on") and value]

    def handle_endtag(self, tag):
        self._svg -= tag == "svg"
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.titles[-1] += data
        elif self._in == "script":
            self.scripts[-1] += data


def parsed(path: Path) -> Elements:
    elements = Elements()
    elements.feed(path.read_text(encoding="utf-8"))
    return elements


# --- 1. record text never runs as script, in the body or in the page title -------------------

def test_a_name_that_closes_the_title_stays_text_in_every_title_and_body(repo):
    repo.staff("lina", SCRIPT_NAME, "客户经理")
    repo.customer(id="C2026-0002", name="<script>alert(2)</script>王", phone="13700002222", owner="lina",
                  extra="notes: </title><script>alert(3)</script>\n")
    repo.write("records/visits/2026/11/V2026-000002.yaml",
               "id: V2026-000002\ncustomer: C2026-0002\nat: 2026-11-12 14:00:00\nstaff: lina\n"
               "type: 电话\nsummary: '</title><script>alert(4)</script>'\n")
    site = build(repo)
    html_pages = list(site.rglob("*.html"))
    for path in html_pages:
        elements = parsed(path)
        assert len(elements.titles) == 1, path  # a </title> from a record would end it early
        assert not [s for s in elements.scripts if "alert(" in s], path
        assert not [h for h in elements.handlers if "alert(" in h], path
    staff_page = parsed(site / "staff" / "lina" / "index.html")
    assert SCRIPT_NAME in staff_page.titles[0] or "lina" in staff_page.titles[0]
    raw = (site / "staff" / "lina" / "index.html").read_text(encoding="utf-8")
    assert "</title><script>alert(1)" not in raw and "&lt;/title&gt;&lt;script&gt;alert(1)" in raw
