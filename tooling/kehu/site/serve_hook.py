"""MkDocs hook for `kehu serve`, run inside `mkdocs serve --dirty`: before each build kehu
writes the pages again if the records changed (kehu.site.live keeps what it needs between
builds); MkDocs then renders only the pages whose key changed and drops the pages that
are gone, and kehu says on one line what it did."""

from __future__ import annotations


def on_serve(server, config, builder, **kwargs):
    from kehu.site import live

    live.session().watch(server, config)
    return server


def on_pre_build(config, **kwargs):
    from kehu.site import live

    live.session().refresh()


def on_files(files, config, **kwargs):
    from kehu.site import live

    return live.session().choose(files, config)


def on_post_page(output, page, config, **kwargs):
    from kehu.site import live

    live.session().rendered(page, output)
    return output


def on_post_build(config, **kwargs):
    from kehu.site import live

    live.session().done()
