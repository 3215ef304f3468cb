"""Command line: ``python build.py [build|serve|check]``. User errors are caught here, once."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from .cache import CACHE_DIR, Cache
from .config import Config, load_config, relative_url_warning
from .errors import SiteError

COMMANDS = ("build", "serve", "check")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="build.py", description="Build a Broadsheet data-journalism site.")
    commands = main.add_subparsers(dest="command")
    for name, text in (
        ("build", "build the site into public/ (the default)"),
        ("serve", "build, serve and rebuild on change"),
        ("check", "build into a temporary folder and check it"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--root", type=Path, default=Path("."), help="site folder (default: current folder)")
        sub.add_argument("--base-url", help="URL or path the site is served under, e.g. https://example.org/nk/")
        sub.add_argument("--drafts", action="store_true", help="include pages with draft: true")
        sub.add_argument("--no-cache", action="store_true", help="ignore and do not write .cache/")
        sub.add_argument("--cache-dir", type=Path, help="build cache folder (default: .cache in the site folder)")
        if name == "build":
            sub.add_argument("--out", type=Path, default=Path("public"), help="output folder (default: public)")
            sub.add_argument("--strict", action="store_true", help="run the checks of `check` too; any problem fails the build")
        if name != "build":
            sub.set_defaults(strict=False)
        if name == "serve":
            sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
            sub.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
            sub.add_argument("--out", type=Path, default=Path("public"), help="output folder (default: public)")
    return main


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(a in COMMANDS or a in ("-h", "--help") for a in argv):
        argv.insert(0, "build")  # plain `python build.py [--out DIR ...]` builds
    args = parser().parse_args(argv)
    try:
        return run(args)
    except SiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def run(args: argparse.Namespace) -> int:
    from .site import BuildState, build_site

    root = args.root.resolve()
    cache = Cache(None if args.no_cache else _out(root, args.cache_dir or Path(CACHE_DIR)))
    if args.command == "serve":
        from .server import serve

        return serve(
            lambda: load_config(root, base_url=args.base_url, drafts=args.drafts),
            _out(root, args.out),
            cache,
            host=args.host,
            port=args.port,
        )
    config = load_config(root, base_url=args.base_url, drafts=args.drafts)
    if relative_url_warning(config):  # (not while serving: a preview's feed is never read)
        print(relative_url_warning(config), file=sys.stderr)
    if args.command == "check" or args.strict:
        from .check import check_site

        return check_site(config, cache, out=_out(root, args.out) if args.command == "build" else None)
    out = _out(root, args.out)
    name, key = state_key(config, out)
    state = cache.load_object(name, key) or BuildState()
    state.html_loader = lambda: cache.load_object(name + "-html", key) or {}
    # after a build with a saved state, write in place: only the files that change
    result = build_site(config, out, cache, progress=_progress, state=state, in_place=state.outputs is not None)
    if state.converted >= min(100, len(state.pages) / 10):  # else the saved HTML is nearly all still true
        cache.save_object(name + "-html", key, state.html_store())
    cache.save_object(name, key, state)
    print(result.summary())
    return 0


def state_key(config: Config, out: Path) -> tuple[str, str]:
    """Where the state of builds into ``out`` is kept, and the key that makes it valid:
    the engine's own code, the libraries that shape output, the config."""
    from importlib.metadata import version

    engine = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(engine.glob("*.py")):
        digest.update(path.read_bytes())
    digest.update(f"{version('markdown')} {version('jinja2')} {config!r}".encode())
    return hashlib.sha256(str(out).encode()).hexdigest()[:16], digest.hexdigest()


def _out(root: Path, out: Path) -> Path:
    return out if out.is_absolute() else root / out


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)
