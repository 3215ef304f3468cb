"""The preview of a site published under a sub-path (base_url https://example.org/wx/)
serves it under that path, so every link and asset it writes works while previewing."""

from __future__ import annotations

import http.client
import re
from pathlib import Path

from test_server import running_server


def request(port: int, path: str) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, response.getheader("Location") or "", body


def test_a_sub_path_site_is_previewed_under_its_path(tmp_path: Path, shared_cache: Path) -> None:
    with running_server(tmp_path, shared_cache, "--base-url", "https://example.org/wx/") as server:
        port = server.port
        assert request(port, "/")[:2] == (302, "/wx/")
        status, _, home = request(port, "/wx/")
        assert status == 200 and 'href="/wx/notes/coal/"' in home
        links = set(re.findall(r'(?:href|src)="(/wx/[^"#]*)"', home))
        assert len(links) >= 5
        for link in links:
            assert request(port, link)[0] == 200, link
        assert request(port, "/notes/coal/")[0] == 404  # outside the base path, as on the real host
