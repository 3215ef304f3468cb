#!/usr/bin/env python3
"""Page weight before interaction: what each page of the built site costs a reader who only opens it.

Builds the site (``python build.py --out`` into a temporary folder), serves it on 127.0.0.1,
opens every page (every ``index.html``) in Chromium at 1280 x 800 without scrolling or
touching anything, waits until the network is idle, and records every response. Each body
is gzip-compressed here (level 6, what servers commonly use) to give the bytes a reader
would transfer. The HTML is split: ``inline SVG`` is what the ``<svg>`` elements inside the
HTML add to the compressed page (compressed HTML minus compressed HTML without them).

Budget: no page over 150 KB (1 KB = 1,024 bytes) compressed before interaction, and the
chart runtime (``vega-runtime.*.js``) never loaded before interaction. Prints a Markdown
table, then what each page loaded; exits 1 if a page is over budget.

usage: python bench/page_weight.py [--chromium /usr/bin/chromium]
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BUDGET = 150 * 1024
VIEWPORT = {"width": 1280, "height": 800}
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RUNTIME = re.compile(r"/vega-runtime\.[^/]*\.js$")
SVG = re.compile(rb"<svg\b.*?</svg>", re.S)
COLUMNS = ("html", "inline_svg", "css", "js", "data", "other")


def gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6, mtime=0))


@dataclass
class Weight:
    """Compressed bytes one page transfers before interaction, by kind, and what it loaded."""

    url: str
    html: int = 0
    inline_svg: int = 0
    css: int = 0
    js: int = 0
    data: int = 0
    other: int = 0
    loaded: list[tuple[str, int]] = field(default_factory=list)  # (path, compressed bytes)

    @property
    def total(self) -> int:
        return sum(getattr(self, column) for column in COLUMNS)

    @property
    def runtime_loaded(self) -> bool:
        return any(RUNTIME.search(path) for path, _ in self.loaded)

    @property
    def within_budget(self) -> bool:
        return self.total <= BUDGET and not self.runtime_loaded

    def add(self, path: str, kind: str, content_type: str, body: bytes) -> None:
        size = gzipped(body)
        self.loaded.append((path, size))
        if kind == "document":
            self.inline_svg += size - gzipped(SVG.sub(b"", body))
            self.html += gzipped(SVG.sub(b"", body))
        elif kind == "stylesheet":
            self.css += size
        elif kind == "script":
            self.js += size
        elif kind in ("fetch", "xhr") or "json" in content_type or "csv" in content_type:
            self.data += size
        else:
            self.other += size


def measure(page: Any, origin: str, url: str) -> Weight:
    """Open ``url`` in ``page`` (a fresh Playwright page at 1280 x 800), touch nothing, and weigh what loaded."""
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(origin + url, wait_until="networkidle")
    return weigh(responses, origin, url)


def weigh(responses: list[Any], origin: str, url: str) -> Weight:
    """The weight of a page from the Playwright responses it received."""
    weight = Weight(url)
    for response in responses:
        if response.status == 200 and response.url.startswith(origin):
            kind = response.request.resource_type
            weight.add(response.url.removeprefix(origin), kind, response.headers.get("content-type", ""), response.body())
    return weight


def build(out: Path) -> Path:
    """Build the site with the real command line into ``out``."""
    subprocess.run([sys.executable, "build.py", "--out", str(out)], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    return out


def page_urls(public: Path) -> list[str]:
    folders = (p.parent.relative_to(public).as_posix() for p in public.rglob("index.html"))
    return sorted("/" if f == "." else f"/{f}/" for f in folders)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass


@contextmanager
def serve(public: Path) -> Iterator[str]:
    """The folder on a real HTTP server on a free port; yields its origin."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(public)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def weigh_site(public: Path, chromium: str) -> list[Weight]:
    from playwright.sync_api import sync_playwright

    weights = []
    with serve(public) as origin, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        for url in page_urls(public):
            context = browser.new_context(viewport=VIEWPORT)
            weights.append(measure(context.new_page(), origin, url))
            context.close()
        browser.close()
    return weights


def kb(size: int) -> str:
    return f"{size / 1024:.1f}"


def table(weights: list[Weight]) -> str:
    lines = [
        "| page | HTML | inline SVG | CSS | JS | data | total | within budget |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for w in weights:
        other = f" (incl. {kb(w.other)} other)" if w.other else ""
        verdict = "yes" if w.within_budget else ("no: chart runtime loaded" if w.runtime_loaded else "no")
        sizes = " | ".join(kb(getattr(w, column)) for column in COLUMNS[:-1])
        lines.append(f"| `{w.url}` | {sizes} | {kb(w.total)}{other} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium", help="Chromium to drive")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="broadsheet-weight-") as tmp:
        weights = weigh_site(build(Path(tmp) / "public"), args.chromium)
    print(f"Compressed KB (gzip level 6; 1 KB = 1,024 bytes) transferred before interaction, at 1280 x 800; budget {kb(BUDGET)} KB.\n")
    print(table(weights))
    print("\nLoaded before interaction (compressed KB):\n")
    for w in weights:
        print(f"- `{w.url}`: " + ", ".join(f"{path} {kb(size)}" for path, size in w.loaded))
    return 0 if all(w.within_budget for w in weights) else 1


if __name__ == "__main__":
    sys.exit(main())
