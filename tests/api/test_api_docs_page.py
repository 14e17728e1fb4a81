"""The API explorer is served from the package under the CSP of every page.

It used to load an unpinned Swagger UI from a CDN with the CSP turned off for the page:
whoever controlled that CDN ran script in the origin of a signed-in staff browser.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_page_loads_nothing_from_another_host_and_keeps_the_csp(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    csp = page.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    html = page.text
    assert not re.search(r"(?i)(https?:)?//[a-z0-9.-]+", html), html
    assert "<script>" not in html  # no inline script: the CSP would refuse it
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert asset.content


def test_the_explorer_script_reads_this_servers_openapi(client: TestClient) -> None:
    script = client.get("/static/api-docs.js").text
    assert '"/api/v1/openapi.json"' in script
    assert "validatorUrl: null" in script  # no call to the public validator either
