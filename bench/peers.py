"""The peers the benchmark builds the same plain corpus with: Hugo, Eleventy, MkDocs, Pelican.

Each peer is installed on demand outside the repository, in ``~/.cache/broadsheet-bench``
(or ``$BROADSHEET_PEERS_DIR``):

- MkDocs 1.6 and Pelican 4.12: ``python -m venv DIR/peers-venv && DIR/peers-venv/bin/pip install
  'mkdocs==1.6.*' 'pelican==4.12.*' markdown``
- Eleventy 3.1: ``cd DIR/eleventy && npm install @11ty/eleventy@3.1.x``
- Hugo: Debian's package, ``apt-get install hugo`` (0.111.3 on Debian 12), as root only.

A peer that cannot be installed is reported with the command to install it by hand and
left out of the run; it never fails the benchmark. Each peer gets the minimal
configuration the corpus needs, written here (not committed as a separate tree).

Also a "naive" baseline: Python-Markdown + Jinja in 2 processes (``bench/naive_build.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PEERS_DIR = Path(os.environ.get("BROADSHEET_PEERS_DIR", Path.home() / ".cache" / "broadsheet-bench"))
VENV = PEERS_DIR / "peers-venv"
NODE_DIR = PEERS_DIR / "eleventy"
PIP_PINS = ("mkdocs==1.6.*", "pelican==4.12.*", "markdown")
ELEVENTY_PIN = "@11ty/eleventy@3.1.x"
NAIVE = Path(__file__).resolve().parent / "naive_build.py"


@dataclass(frozen=True)
class Peer:
    """How to install, configure, clean and run one peer on a corpus folder."""

    name: str
    install_hint: str
    ensure: Callable[[bool], str | None]  # install if allowed; return an error message or None
    version: Callable[[], str]
    prepare: Callable[[Path, Path], None]  # (corpus, workdir): copy the corpus, write the config
    command: Callable[[Path], list[str]]  # workdir -> argv, run in workdir
    outputs: tuple[str, ...]  # folders under workdir removed before a cold build

    def clean(self, workdir: Path) -> None:
        for name in self.outputs:
            path = workdir / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def _run(argv: list[str], cwd: Path | None = None) -> tuple[bool, str]:
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, str(exc)
    return done.returncode == 0, (done.stdout + done.stderr).strip()


def _first_line(argv: list[str]) -> str:
    ok, text = _run(argv)
    return text.splitlines()[0].strip() if ok and text else "unknown version"


def _copy_corpus(corpus: Path, dest: Path) -> None:
    shutil.copytree(corpus, dest)


# --- MkDocs and Pelican: one venv -------------------------------------------------------


def ensure_venv(install: bool) -> str | None:
    if (VENV / "bin" / "mkdocs").exists() and (VENV / "bin" / "pelican").exists():
        return None
    if not install:
        return "not installed"
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    print(f"installing MkDocs and Pelican into {VENV} ...", file=sys.stderr, flush=True)
    ok, text = _run([sys.executable, "-m", "venv", str(VENV)])
    if ok:
        ok, text = _run([str(VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", *PIP_PINS])
    return None if ok else f"install failed: {text.splitlines()[-1] if text else 'no output'}"


def _pip_version(package: str) -> Callable[[], str]:
    def version() -> str:
        ok, text = _run([str(VENV / "bin" / "python"), "-c", f"import importlib.metadata as m; print(m.version('{package}'))"])
        return f"{package} {text}" if ok else "unknown version"

    return version


def prepare_mkdocs(corpus: Path, workdir: Path) -> None:
    _copy_corpus(corpus, workdir / "docs")
    (workdir / "mkdocs.yml").write_text("site_name: Benchmark corpus\ndocs_dir: docs\nsite_dir: site\n", encoding="utf-8")


def prepare_pelican(corpus: Path, workdir: Path) -> None:
    _copy_corpus(corpus, workdir / "content")
    (workdir / "pelicanconf.py").write_text(
        "\n".join(
            [
                'AUTHOR = "Benchmark"',
                'SITENAME = "Benchmark corpus"',
                'SITEURL = ""',
                'PATH = "content"',
                'TIMEZONE = "UTC"',
                'DEFAULT_LANG = "en"',
                "DEFAULT_DATE = (2024, 6, 1)",
                "FEED_ALL_ATOM = None",
                "CATEGORY_FEED_ATOM = None",
                "TRANSLATION_FEED_ATOM = None",
                "AUTHOR_FEED_ATOM = None",
                "AUTHOR_FEED_RSS = None",
                "",
            ]
        ),
        encoding="utf-8",
    )


# --- Eleventy ---------------------------------------------------------------------------


def ensure_eleventy(install: bool) -> str | None:
    if (NODE_DIR / "node_modules" / ".bin" / "eleventy").exists():
        return None
    if shutil.which("npm") is None:
        return "npm is not installed (apt-get install npm)"
    if not install:
        return "not installed"
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    print(f"installing Eleventy into {NODE_DIR} ...", file=sys.stderr, flush=True)
    if not (NODE_DIR / "package.json").exists():
        (NODE_DIR / "package.json").write_text('{"name": "broadsheet-bench-eleventy", "private": true}\n', encoding="utf-8")
    ok, text = _run(["npm", "install", "--silent", "--no-audit", "--no-fund", ELEVENTY_PIN], cwd=NODE_DIR)
    return None if ok else f"npm install failed: {text.splitlines()[-1] if text else 'no output'}"


def prepare_eleventy(corpus: Path, workdir: Path) -> None:
    _copy_corpus(corpus, workdir / "content")


# --- Hugo -------------------------------------------------------------------------------


def ensure_hugo(install: bool) -> str | None:
    if shutil.which("hugo"):
        return None
    if not install:
        return "not installed"
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "not installed, and installing needs root and apt-get"
    print("installing Hugo with apt-get ...", file=sys.stderr, flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env)
        done = subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], capture_output=True, text=True, env=env)
    return None if shutil.which("hugo") else f"apt-get install hugo failed: {done.stderr.strip().splitlines()[-1:] or 'no output'}"


HUGO_SINGLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>
"""
HUGO_LIST = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><main><h1>{{ .Title }}</h1></main></body></html>
"""


def prepare_hugo(corpus: Path, workdir: Path) -> None:
    _copy_corpus(corpus, workdir / "content")
    (workdir / "hugo.toml").write_text('baseURL = "https://example.org/"\ntitle = "Benchmark corpus"\n', encoding="utf-8")
    layouts = workdir / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")


# --- naive baseline ---------------------------------------------------------------------


def prepare_naive(corpus: Path, workdir: Path) -> None:
    _copy_corpus(corpus, workdir / "content")


def all_peers() -> list[Peer]:
    pip_hint = f"python -m venv {VENV} && {VENV}/bin/pip install " + " ".join(f"'{p}'" for p in PIP_PINS)
    return [
        Peer(
            name="Hugo",
            install_hint="apt-get install hugo   (as root)",
            ensure=ensure_hugo,
            version=lambda: _first_line(["hugo", "version"]).split("+")[0].split("-")[0],
            prepare=prepare_hugo,
            command=lambda w: ["hugo", "--quiet", "--source", str(w), "--destination", "public"],
            outputs=("public", "resources", ".hugo_build.lock"),
        ),
        Peer(
            name="Eleventy",
            install_hint=f"mkdir -p {NODE_DIR} && cd {NODE_DIR} && npm install {ELEVENTY_PIN}",
            ensure=ensure_eleventy,
            version=lambda: "Eleventy " + _first_line([str(NODE_DIR / "node_modules" / ".bin" / "eleventy"), "--version"]),
            prepare=prepare_eleventy,
            command=lambda w: [str(NODE_DIR / "node_modules" / ".bin" / "eleventy"), "--input=content", "--output=_site", "--quiet"],
            outputs=("_site", ".cache"),
        ),
        Peer(
            name="MkDocs",
            install_hint=pip_hint,
            ensure=ensure_venv,
            version=_pip_version("mkdocs"),
            prepare=prepare_mkdocs,
            command=lambda w: [str(VENV / "bin" / "mkdocs"), "build", "--quiet", "--config-file", str(w / "mkdocs.yml")],
            outputs=("site",),
        ),
        Peer(
            name="Pelican",
            install_hint=pip_hint,
            ensure=ensure_venv,
            version=_pip_version("pelican"),
            prepare=prepare_pelican,
            command=lambda w: [str(VENV / "bin" / "pelican"), "content", "--settings", "pelicanconf.py", "--output", "output", "--quiet"],
            outputs=("output", "cache", "__pycache__"),
        ),
        Peer(
            name="naive Python",
            install_hint="pip install markdown jinja2 (the benchmark's own Python)",
            ensure=lambda install: None,
            version=lambda: "Python-Markdown + Jinja, 2 processes",
            prepare=prepare_naive,
            command=lambda w: [sys.executable, str(NAIVE), str(w / "content"), str(w / "out"), "--processes", "2"],
            outputs=("out",),
        ),
    ]
