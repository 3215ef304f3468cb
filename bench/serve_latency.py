#!/usr/bin/env python3
"""Time from saving a one-word edit to the preview server serving the rebuilt page.

Runs the real server (``python build.py serve``) on a free port, edits a page N times
and polls the page over HTTP until the new word appears. Prints a Markdown table.
Not a test: the figures depend on the machine.

usage: python bench/serve_latency.py [--pages 1000] [--runs 15]
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# shared/ sits beside the repository (/work/main) or beside the folder of worktrees (/work/wt/NAME)
_CORPORA = [folder / "shared" / "bench" / "gen_corpus.py" for folder in (REPO.parent, REPO.parent.parent)]
CORPUS = next((path for path in _CORPORA if path.is_file()), _CORPORA[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port: int, path: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    body = conn.getresponse().read().decode()
    conn.close()
    return body


def generated_site(folder: Path, pages: int) -> Path:
    root = folder / f"site-{pages}"
    (root / "content").mkdir(parents=True)
    subprocess.run([sys.executable, str(CORPUS), str(pages), str(root / "content")], check=True)
    shutil.move(root / "content/page-00001.md", root / "content/index.md")
    for page in (root / "content").glob("*.md"):  # the corpus leaves some descriptions unquoted YAML ("[link](...)")
        head, _, body = page.read_text().partition("\n---\n")
        lines = [f"{k}: {json.dumps(v.strip())}" for k, _, v in (line.partition(":") for line in head.splitlines()[1:])]
        page.write_text("---\n" + "\n".join(lines) + "\n---\n" + body)
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    (root / "site.toml").write_text('title = "Corpus"\ndescription = "Generated pages."\n')
    return root


def measure(root: Path, src: str, url: str, runs: int) -> list[float]:
    port = free_port()
    log = open(root / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if json.loads(get(port, "/_broadsheet/status"))["generation"] >= 1:
                    break
            except OSError:
                time.sleep(0.1)
            if time.monotonic() > deadline:
                raise SystemExit("server did not start")
        file = root / src
        original = file.read_text()
        times = []
        for run in range(runs):
            word = f"edited{run}x"
            time.sleep(0.3)  # let the previous rebuild settle
            start = time.perf_counter()
            file.write_text(original.replace("\n\n", f"\n\n{word} ", 1))
            while word not in get(port, url):
                if time.perf_counter() - start > 20:
                    raise SystemExit(f"{word} never served; see {root}/serve.log")
                time.sleep(0.002)
            times.append(time.perf_counter() - start)
        file.write_text(original)
        return times
    finally:
        server.terminate()
        server.wait()
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        explainer = Path(tmp) / "explainer"
        shutil.copytree(REPO, explainer, ignore=shutil.ignore_patterns("public", ".git", ".venv", "__pycache__", "node_modules"))
        rows.append(("explainer page (content/coal.md)", measure(explainer, "content/coal.md", "/coal/", args.runs)))
        corpus = generated_site(Path(tmp), args.pages)
        rows.append((f"page of a {args.pages:,}-page site", measure(corpus, "content/page-00500.md", "/page-00500/", args.runs)))
    print("| one-word edit | median | p90 | max |")
    print("|---|---|---|---|")
    for name, times in rows:
        ordered = sorted(times)
        p90 = ordered[int(0.9 * (len(ordered) - 1))]
        print(f"| {name} | {statistics.median(times) * 1000:.0f} ms | {p90 * 1000:.0f} ms | {max(times) * 1000:.0f} ms |")


if __name__ == "__main__":
    main()
