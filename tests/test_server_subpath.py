"""The preview of a site published under a sub-path (base_url https://example.org/wx/)
serves it under that path, so every link and asset it writes works while previewing."""

from __future__ import annotations

import http.client
import re
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, make_site, run
from test_server import Server, free_port


def request(port: int, path: str) -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, response.getheader("Location") or "", body


def test_a_sub_path_site_is_previewed_under_its_path(tmp_path: Path, shared_cache: Path) -> None:
    root = make_site(tmp_path)
    assert run(root, cache=shared_cache) == 0  # (warms the chart cache)
    port = free_port()
    command = [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port)]
    command += ["--cache-dir", str(shared_cache), "--base-url", "https://example.org/wx/"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(root, port, process)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if server.status()["generation"] >= 1:
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "server did not start"
                time.sleep(0.1)
        assert request(port, "/")[:2] == (302, "/wx/")
        status, _, home = request(port, "/wx/")
        assert status == 200 and 'href="/wx/notes/coal/"' in home
        links = set(re.findall(r'(?:href|src)="(/wx/[^"#]*)"', home))
        assert len(links) >= 5
        for link in links:
            assert request(port, link)[0] == 200, link
        assert request(port, "/notes/coal/")[0] == 404  # outside the base path, as on the real host
    finally:
        process.terminate()
        process.wait(timeout=30)
