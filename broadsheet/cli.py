"""Command line: ``python build.py [build|serve|check]``. User errors are caught here, once."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .cache import CACHE_DIR, Cache
from .config import follow_link, load_config, relative_url_warning
from .errors import SiteError
from .output import Output, check_cache_folder, check_destination, clean_leftovers
from .state import SavedState

COMMANDS = ("build", "serve", "check", "new", "data")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog=Path(sys.argv[0]).name, description="Build a Broadsheet data-journalism site.")
    main.add_argument("--version", action="version", version=f"broadsheet {__version__}")
    commands = main.add_subparsers(dest="command")
    new = commands.add_parser("new", help="make a starter site in a new folder")
    new.add_argument("dir", type=Path, help="the folder to create")
    data = commands.add_parser("data", help="work on the site's data packages")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    pin = data_commands.add_parser("pin", help="check the data, then write each changed file's hash into its descriptor")
    pin.add_argument("name", nargs="?", help="a dataset (gdp/gdp); without one, every pinned file that changed")
    pin.add_argument("--root", type=Path, default=Path("."), help="site folder (default: current folder)")
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
        if name == "check":
            sub.add_argument("--numbers", action="store_true", help="audit the numbers typed by hand in prose, titles and alt text")
        if name != "build":
            sub.set_defaults(strict=False)
        if name == "serve":
            sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
            sub.add_argument("--port", default="8000", help="port, 0 for any free one (default: 8000)")
    return main


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(a in COMMANDS or a in ("-h", "--help", "--version") for a in argv):
        argv.insert(0, "build")  # plain `python build.py [--out DIR ...]` builds
    args = parser().parse_args(argv)
    try:
        return run(args)
    except SiteError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # permissions, a full disk, a file where a folder should be...
        print(f"error: {os_error(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def run(args: argparse.Namespace) -> int:
    from .site import build_site

    if args.command == "new":
        return new(args.dir)
    if args.command == "data":
        return pin(follow_link(args.root, str(args.root)), args.name)
    root = follow_link(args.root, str(args.root))
    cache = Cache(None if args.no_cache else _out(root, args.cache_dir or Path(CACHE_DIR)))
    if cache.folder is not None:
        check_cache_folder(cache.folder, root)
    if args.command == "serve":
        from .server import parse_port, serve

        port = parse_port(args.port)  # (checked before anything is built)
        return serve(
            lambda: load_config(root, base_url=args.base_url, drafts=args.drafts),
            cache,
            host=args.host,
            port=port,
        )
    out = published_folder(_out(root, args.out)) if args.command == "build" else None
    if out is not None:
        check_destination(out, root, cache.folder)
        clean_leftovers(out)
        cache.clean_leftovers()
    config = load_config(root, base_url=args.base_url, drafts=args.drafts)
    if relative_url_warning(config):  # (not while serving: a preview's feed is never read)
        print(relative_url_warning(config), file=sys.stderr)
    if args.command == "check" and args.numbers:
        from .audit import print_audit

        return print_audit(config)
    if out is None or args.strict:
        from .check import check_site

        if out is not None:  # it replaces out/ without the state: the next build must not trust it
            SavedState.of(cache, config, out).mark_stale()
        return check_site(config, cache, out=out)
    saved = SavedState.of(cache, config, out)
    state = saved.load()
    # After a build with a saved state, write in place: only the files that change. The
    # saved state is marked stale before the first file changes and saved again once all
    # are written, so a build that dies in between is followed by a full one.
    output = Output(out, in_place=state.outputs is not None, previous=state.outputs)
    result = build_site(config, output, cache, state=state, progress=_progress, before_commit=saved.mark_stale)
    try:
        saved.save(state)
    except OSError as error:  # (the state stays marked stale: the output is whole and new)
        print(f"error: {os_error(error)}: {out} was built, but not its saved state: the next build will build everything", file=sys.stderr)
        return 1
    for note in result.site.package.warnings:
        print(note, file=sys.stderr)
    for warning in result.warnings:  # (errors under check and --strict)
        print(warning, file=sys.stderr)
    print(result.summary())
    return 0


def pin(root: Path, name: str | None) -> int:
    from .pins import plan_pins, write_pins

    pins = plan_pins(root, name)
    write_pins(root, pins)
    for made in pins:
        print(f"{made.descriptor}:{made.line}: {'added' if made.added else 'updated'} the hash of '{made.name}' ({made.src}): {made.value}")
    if not pins:
        print("every pinned file matches its hash" if name is None else f"'{name}' already matches its hash")
    return 0


def new(dest: Path) -> int:
    from .scaffold import new_site

    made = new_site(dest)
    root = shell_word(str(dest))
    print(f"Made a starter site in {dest}/ ({len(made)} files). Next:")
    print(f"  broadsheet serve --root {root}    # preview at http://127.0.0.1:8000, rebuilt as you edit")
    print(f"  broadsheet check --root {root}    # links, alt text, sources")
    return 0


def shell_word(path: str) -> str:
    """``path`` as one word of a POSIX shell command, to paste as it is printed: quoted
    (a folder named ``x; rm -rf ~`` must not run anything), and never read as an option."""
    import shlex

    return shlex.quote("./" + path if path.startswith("-") else path)


def os_error(error: OSError) -> str:
    """An error of the system as one line: the file, then what went wrong. (Of a rename,
    the file it would replace: the source is the build's own temporary file.)"""
    path = error.filename2 if error.filename2 is not None else error.filename
    reason = error.strerror or str(error)
    return f"{path}: {reason}" if path is not None else reason


def published_folder(out: Path) -> Path:
    """Where a build into ``out`` goes: a ``public`` that is a link to a deploy folder is
    followed, so the deploy folder is replaced (staged beside it, swapped in) and the link
    stays; replacing the link itself would leave the deploy folder with the old site."""
    return Path(os.path.realpath(out))


def _out(root: Path, out: Path) -> Path:
    return out if out.is_absolute() else root / out


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)
