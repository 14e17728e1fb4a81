"""The API explorer works in a browser under the CSP of every page, with its own assets."""

from __future__ import annotations

from typing import Any


def test_the_api_explorer_renders_under_the_csp(site: Any, browser: Any) -> None:
    context = browser.new_context()
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        refused: list[str] = []
        hosts: set[str] = set()
        page.on(
            "console", lambda m: refused.append(m.text) if "Content Security" in m.text else None
        )
        page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
        page.goto(f"{site.url}/api/v1/docs")
        page.wait_for_selector(".opblock-summary-path")  # the operations are listed
        assert page.locator(".opblock").count() > 20
        assert refused == []
        assert hosts == {site.url.split("/")[2]}
    finally:
        context.close()
