"""MkDocs hook for `kehu build`: render only the pages kehu names.

kehu keeps the HTML of pages whose inputs did not change (kehu.site.reuse) and shares the
others out between MkDocs processes. Each process still reads every file of the docs
folder, so links, the nav and the sitemap come out as in a full build, but renders only the
pages listed in the file named by KEHU_BUILD_PAGES (one source path a line, as MkDocs names
them); it writes to KEHU_BUILD_REPORT which output file each of them became ("P", page,
file) and which other files it wrote ("F", file). A process with KEHU_BUILD_STATIC=0
copies no theme or static files (another process does).
"""

from __future__ import annotations

import os


def _yes() -> bool:
    return True


def _no() -> bool:
    return False


_report: list[str] = []


def on_files(files, config, **kwargs):
    listed = os.environ.get("KEHU_BUILD_PAGES")
    if not listed:
        return files
    with open(listed, encoding="utf-8") as handle:
        wanted = set(handle.read().splitlines())
    static = os.environ.get("KEHU_BUILD_STATIC", "1") == "1"
    for file in files:
        if file.is_documentation_page():
            # a --dirty build renders a page when is_modified(): here, when kehu asked for it
            file.is_modified = _yes if file.src_uri in wanted else _no
        elif not static:
            file.is_modified = _no
        else:
            _report.append(f"F\t{file.dest_uri}\n")
    if static:
        _report.extend(f"F\t{name}\n" for name in (*config.theme.static_templates, "sitemap.xml.gz"))
    return files


def on_post_page(output, page, config, **kwargs):
    _report.append(f"P\t{page.file.src_uri}\t{page.file.dest_uri if output.strip() else ''}\n")
    page.content = None  # written next; holding 20,000 pages' HTML until the end costs hundreds of MB
    return output


def on_post_build(config, **kwargs):
    report = os.environ.get("KEHU_BUILD_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as handle:
            handle.writelines(_report)
    _report.clear()
