"""Opening an offline file from disk in a real browser, the network blocked, console errors recorded.

Shared by the offline-file tests (:mod:`test_offline_export`, :mod:`test_offline_preview`).
"""

from __future__ import annotations


def offline_context(browser, size: tuple[int, int]):
    """A fresh browser context and page that may load only ``file:``, ``blob:`` and ``data:`` URLs.

    Parameters
    ----------
    browser : playwright.sync_api.Browser
    size : (int, int)
        The viewport, px (width, height).

    Returns
    -------
    context, page : playwright objects
    blocked : list of str
        Every other URL the page asked for (each request aborted), filled as the page runs.
    errors : list of str
        Console errors and uncaught page errors, filled as the page runs.
    """
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        if r.request.url.startswith(("file:", "blob:", "data:")):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, blocked, errors
