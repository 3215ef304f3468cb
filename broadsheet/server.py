"""Preview server: build into memory, serve it, rebuild what changed, reload the browser.

It reuses ``build_site`` with a ``BuildState`` (so only pages whose inputs changed are
rendered) and the same chart cache as ``python build.py``, but keeps the built site in
memory: the preview never writes where the build publishes, nor a build state that
the command line would reuse. The WebSocket and livereload.js come from the
``livereload`` package; the file watching is a small poll of the site's source folders,
so a rebuild starts within ~0.1 s of a save. A build error keeps the last good site on
screen with the error over it.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import mimetypes
import os
import queue
import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .cache import Cache
from .config import CONFIG_FILE, Config
from .errors import SiteError, SiteWarning
from .output import MemoryOutput
from .site import BuildResult, build_site
from .state import BuildState

WATCHED = ("content", "charts", "data", "templates", "static")
POLL_MS = 50
SETTLE = 0.01  # seconds between the scans that must agree before a rebuild
SETTLE_MAX = 0.5
STATUS_PATH = "/_broadsheet/status"


class Preview:
    """The site being previewed: its last build, its last error, and what changed."""

    def __init__(self, load_config: Callable[[], Config], cache: Cache, log: Callable[[str], None] = print):
        self.load_config = load_config
        self.built: dict[str, bytes] = {}  # the built site, by path ("notes/coal/index.html")
        self.cache = cache
        self.log = log
        self.state = BuildState()  # (kept in memory, never saved: see ``state``)
        self.error: SiteError | None = None
        self.result: BuildResult | None = None
        self.generation = 0
        config = load_config()
        self.root = config.root
        self.base_path = config.base_path  # "/nk/" for https://example.org/nk/: served there, as published
        self.files = scan(self.root)
        self.built_from = ""  # ``sources_digest`` of the files the last build started from
        self.building = False  # a rebuild runs in its own thread: pages are served meanwhile

    def build(self) -> bool:
        """Build (incrementally after the first time); remember the result or the error.
        The built files are swapped in whole, so a request during a build gets the last
        good site, never a half-written one."""
        self.built_from = sources_digest(self.files)
        try:
            config = self.load_config()
            output = MemoryOutput(dict(self.built))
            self.result = build_site(config, output, self.cache, state=self.state, fingerprint=False)
            self.built, self.base_path = output.files, config.base_path
            self.error = None
        except SiteError as error:
            self.error = error
            self.log(f"error: {error}")
        else:
            for warning in self.result.warnings:
                self.log(str(warning))
            self.log(f"{self.result.summary()}; rendered: {', '.join(self.result.rendered) or 'no page'}")
        self.generation += 1
        return self.error is None

    def changes(self) -> list[str]:
        """Source files added, removed or modified since the last look, once they settle
        (an editor's save can take more than one write)."""
        files = scan(self.root)
        if files == self.files:
            return []
        deadline = time.monotonic() + SETTLE_MAX
        while time.monotonic() < deadline:
            time.sleep(SETTLE)
            again = scan(self.root)
            if again == files:
                break
            files = again
        changed = sorted(path for path in files.keys() | self.files.keys() if files.get(path) != self.files.get(path))
        self.files = files
        return changed

    def status(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "ok": self.error is None,
            "error": str(self.error) if self.error else None,
            "rendered": list(self.result.rendered) if self.result else [],
            "seconds": round(self.result.seconds, 4) if self.result else None,
            "building": self.building,
            "sources": self.built_from,  # (a client that knows what it saved can wait for that build)
            "warnings": [str(w) for w in self.result.warnings] if self.result else [],
        }


def scan(root: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every watched file (cheap: one stat per file)."""
    found: dict[str, tuple[int, int]] = {}
    for folder in WATCHED:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = [d for d in dirnames if not d.startswith((".", "__pycache__"))]
            for name in filenames:
                if name.startswith(".") or name.endswith((".pyc", "~", ".swp")):
                    continue
                path = os.path.join(dirpath, name)
                try:
                    info = os.stat(path)
                except FileNotFoundError:
                    continue
                found[os.path.relpath(path, root)] = (info.st_mtime_ns, info.st_size)
    config = root / CONFIG_FILE
    if config.exists():
        info = config.stat()
        found[CONFIG_FILE] = (info.st_mtime_ns, info.st_size)
    return found


def sources_digest(files: dict[str, tuple[int, int]]) -> str:
    """A hash of ``scan``'s result: which version of the sources a build started from."""
    return hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()


def reload_path(changed: list[str]) -> str:
    """What to tell browsers: a stylesheet path when only CSS changed (injected without a
    page reload), else ``*`` (reload the page)."""
    if changed and all(p.startswith("static/") and p.endswith(".css") for p in changed):
        return changed[0]
    return "*"


def error_banner(error: SiteError) -> str:
    return (
        '<div id="broadsheet-error" role="alert" style="position:fixed;inset:0 0 auto 0;z-index:2147483647;'
        "margin:0;padding:1rem 1.25rem;background:#8b0000;color:#fff;font:15px/1.5 ui-monospace,monospace;"
        'white-space:pre-wrap;box-shadow:0 2px 8px rgba(0,0,0,.4)"><strong>Build failed</strong>\n'
        f"{html.escape(str(error))}\n<small>The last good build is shown below. Fix the file and save: "
        "this page reloads by itself.</small></div>"
    )


def warning_banner(warnings: tuple[SiteWarning, ...]) -> str:
    """The last build's warnings (chart text), at the foot of the window: the page stays readable."""
    count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    lines = "\n".join(html.escape(str(w)) for w in warnings)
    return (
        '<details id="broadsheet-warnings" role="status" style="position:fixed;inset:auto 0 0 0;z-index:2147483646;'
        "margin:0;padding:.5rem 1.25rem;max-height:40vh;overflow:auto;background:#fff4cc;color:#1a1a1a;"
        'font:13px/1.5 ui-monospace,monospace;box-shadow:0 -2px 8px rgba(0,0,0,.3)">'
        f"<summary><strong>{count}</strong> (an error under check and --strict)</summary>"
        f'<pre style="margin:0;white-space:pre-wrap">{lines}</pre></details>'
    )


def make_app(preview: Preview) -> Any:
    """The tornado application: the built site, the reload socket and a status endpoint."""
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
    from tornado import web

    class SiteHandler(web.RequestHandler):
        """Files of the built site, from memory: a path that is not one of them is a 404
        (nothing is read from disk, so no path can reach outside the site)."""

        def get(self, path: str) -> None:
            self.respond(path, send_body=True)

        def head(self, path: str) -> None:
            self.respond(path, send_body=False)

        def respond(self, path: str, send_body: bool) -> None:
            files, prefix = preview.built, preview.base_path.lstrip("/")
            if prefix and path.startswith(prefix):  # the site lives under its base path, as when published
                path = path[len(prefix) :]
            elif prefix and path in ("", prefix.rstrip("/")):
                self.redirect("/" + prefix, permanent=False)
                return
            elif prefix:
                path = "\0"  # (outside the base path: not found)
            rel = path + "index.html" if path == "" or path.endswith("/") else path
            if rel not in files and f"{rel}/index.html" in files:
                self.redirect(self.request.path + "/", permanent=False)
                return
            if rel in files:
                body = files[rel]
            else:
                self.set_status(404)
                rel = "404.html"
                body = files.get(rel, NOT_FOUND)  # (no 404 page before a first good build)
            if rel.endswith(".html"):
                body = with_script(body, preview)
            self.set_header("Content-Type", content_type(rel))
            self.set_header("Cache-Control", "no-store")
            self.set_header("Content-Length", str(len(body)))
            self.finish(body if send_body else None)

    class StatusHandler(web.RequestHandler):
        def get(self) -> None:
            self.set_header("Content-Type", "application/json")
            self.set_header("Cache-Control", "no-store")
            self.finish(json.dumps(preview.status()))

    LiveReloadHandler.live_css = True
    LiveReloadHandler.watcher = SimpleNamespace(filepath=None)  # livereload logs it; we watch ourselves
    return web.Application(
        [
            (r"/livereload", LiveReloadHandler),
            (r"/livereload.js", LiveReloadJSHandler),
            (STATUS_PATH, StatusHandler),
            (r"/(.*)", SiteHandler),
        ]
    )


def with_script(page: bytes, preview: Preview) -> bytes:
    """A built page with the reload script (only while serving) and, after a failed
    build, the error over it: the whole page, whatever its size."""
    script = (
        '<script>(function(){var s=document.createElement("script");'
        's.src="/livereload.js?port="+(window.location.port||(window.location.protocol=="https:"?443:80));'
        f"document.head.appendChild(s);var g={preview.generation};"
        f'setInterval(function(){{fetch("{STATUS_PATH}").then(function(r){{return r.json()}})'
        ".then(function(j){if(j.generation!==g)location.reload()}).catch(function(){})},1000);"
        "})();</script>"
    ).encode()  # (a once-a-second look at the build generation: a page loading during a rebuild catches up)
    page = page.replace(b"</head>", script + b"</head>", 1)
    if preview.error is not None:
        banner = error_banner(preview.error).encode()
        page = re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + banner, page, count=1)
    elif preview.result is not None and preview.result.warnings:
        page = page.replace(b"</body>", warning_banner(preview.result.warnings).encode() + b"</body>", 1)
    return page


NOT_FOUND = b"<!doctype html><html><head><title>Not found</title></head><body><h1>Not found</h1></body></html>"


def content_type(rel: str) -> str:
    kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
    textual = kind.startswith("text/") or kind in ("application/json", "application/javascript", "application/xml", "image/svg+xml")
    return f"{kind}; charset=utf-8" if textual else kind


def watch(preview: Preview, loop: Any) -> None:
    """One poll: if a source file changed, rebuild in a thread (a slow chart must not stop
    the server answering), then tell the browsers from the server's own loop."""
    if preview.building:
        return  # (the next poll after this build sees what changed meanwhile)
    changed = preview.changes()
    if not changed:
        return
    preview.building = True
    _rebuilds.put(lambda: rebuild(preview, changed, loop))


# Rebuilds run one after another on one thread that lives as long as the server: a chart
# worker is killed when the thread that started it ends (Linux's parent-death signal is
# per thread, ``workers._die_with_parent``), so a thread per rebuild lost the warm worker
# after every build, and each chart edit paid for a fresh one.
_rebuilds: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()


def _rebuild_forever() -> None:
    while True:
        job = _rebuilds.get()
        try:
            job()
        except Exception:  # (an engine bug in one rebuild is told as before, and the next still runs)
            traceback.print_exc()


def rebuild(preview: Preview, changed: list[str], loop: Any) -> None:
    from livereload.handlers import LiveReloadHandler

    started, ok = time.perf_counter(), False
    try:
        ok = preview.build()
        elapsed = time.perf_counter() - started
        preview.log(f"  {len(changed)} changed ({', '.join(changed[:3])}{'...' if len(changed) > 3 else ''}) -> {elapsed:.3f} s")
    finally:
        preview.building = False
        loop.add_callback(LiveReloadHandler.reload_waiters, reload_path(changed) if ok else "*")


def serve(load_config: Callable[[], Config], cache: Cache, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build, then serve until interrupted. Build errors are shown, never fatal."""
    from tornado import ioloop
    from tornado.httpserver import HTTPServer

    sockets = listening_sockets(host, port)  # (before the build: a port in use is told at once)
    preview = Preview(load_config, cache, log=lambda message: print(message, flush=True))
    preview.build()
    HTTPServer(make_app(preview)).add_sockets(sockets)
    port = sockets[0].getsockname()[1]  # (the one chosen, for --port 0)
    print(f"Serving {preview.root} (built in memory) at {_address(host, port)}{preview.base_path[1:]} (Ctrl+C to stop)", flush=True)
    loop = ioloop.IOLoop.current()
    threading.Thread(target=_rebuild_forever, name="rebuild", daemon=True).start()
    ioloop.PeriodicCallback(lambda: watch(preview, loop), POLL_MS).start()
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0


PORT_RULE = "must be a whole number from 1 to 65535 (or 0: any free port)"


def parse_port(raw: str) -> int:
    """``--port`` as a number a socket takes (99999 was taken modulo 65536, -1 refused by
    the resolver in its own words)."""
    try:
        port = int(raw.strip())
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise SiteError("--port", None, f"{PORT_RULE}, found {raw!r}", "leave it out for 8000")
    return port


def listening_sockets(host: str, port: int) -> list[socket.socket]:
    """The sockets the preview listens on, bound now: an address in use or not of this
    machine is an error that names it."""
    from tornado.netutil import bind_sockets

    address = _address(host, port)
    try:
        return bind_sockets(port, address=host)
    except OSError as error:  # (socket.gaierror too: a host that is not an address)
        if error.errno == errno.EADDRINUSE:
            hint = "stop what uses it, or pass another --port (0: any free port)"
            raise SiteError("--port", None, f"{address} is in use (another preview?)", hint) from None
        if error.errno == errno.EACCES:
            hint = "ports under 1024 need an administrator: pass --port 8000"
            raise SiteError("--port", None, f"{address}: permission denied", hint) from None
        hint = "--host is an address of this machine: 127.0.0.1 (the default), ::1, or 0.0.0.0 for every one"
        raise SiteError("--host", None, f"cannot listen on {address}: {error.strerror or error}", hint) from None


def _address(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/"
