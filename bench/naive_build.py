#!/usr/bin/env python3
"""The naive baseline of the benchmark: Python-Markdown + Jinja over a folder, N processes.

What a minimal Python generator does for the same corpus: read the front matter with
PyYAML, convert the body with the extensions Broadsheet uses, render one Jinja template
(no navigation), write ``OUT/<name>/index.html``. It bounds what a Python engine can
reach on this machine before doing any of Broadsheet's own work.

usage: python bench/naive_build.py CONTENT OUT [--processes 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
from pathlib import Path
from typing import Any

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="description" content="{{ description }}"></head>
<body><main><h1>{{ title }}</h1>{{ body }}</main></body></html>
"""
EXTENSIONS = ["tables", "footnotes", "attr_list", "toc", "smarty", "fenced_code"]
_STATE: dict[str, Any] = {}


def _init(out: str) -> None:
    import jinja2
    import markdown

    _STATE["md"] = markdown.Markdown(extensions=EXTENSIONS)
    _STATE["template"] = jinja2.Environment(autoescape=True).from_string(TEMPLATE)
    _STATE["out"] = Path(out)


def build_one(path: str) -> None:
    import yaml
    from markupsafe import Markup

    text = Path(path).read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    converter = _STATE["md"]
    converter.reset()
    html = _STATE["template"].render(title=meta["title"], description=meta.get("description", ""), body=Markup(converter.convert(body)))
    dest = _STATE["out"] / Path(path).stem / "index.html"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(html, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="naive Python-Markdown + Jinja build")
    parser.add_argument("content", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    paths = sorted(str(p) for p in args.content.glob("*.md"))
    with multiprocessing.Pool(args.processes, initializer=_init, initargs=(str(args.out),)) as pool:
        pool.map(build_one, paths, chunksize=64)
    print(f"naive: {len(paths)} pages")


if __name__ == "__main__":
    main()
