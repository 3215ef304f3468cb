"""Preview server: build, serve ``public/``, rebuild what changed, reload the browser.

It reuses ``build_site`` with a ``BuildState`` (so only pages whose inputs changed are
rendered) and the same cache as ``python build.py``. Serving, the WebSocket and the
injected reload script come from the ``livereload`` package; the file watching is a
small poll of the site's source folders, so a rebuild starts within ~0.1 s of a save.
A build error keeps the last good site on screen with the error over it.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from .cache import Cache
from .config import CONFIG_FILE, Config
from .errors import SiteError
from .site import BuildResult, BuildState, build_site

WATCHED = ("content", "charts", "data", "templates", "static")
POLL_MS = 50
SETTLE = 0.01  # seconds between the scans that must agree before a rebuild
SETTLE_MAX = 0.5
STATUS_PATH = "/_broadsheet/status"


class Preview:
    """The site being previewed: its last build, its last error, and what changed."""

    def __init__(self, load_config: Callable[[], Config], out: Path, cache: Cache, log: Callable[[str], None] = print):
        self.load_config = load_config
        self.out = out
        self.cache = cache
        self.log = log
        self.state = BuildState()
        self.error: SiteError | None = None
        self.result: BuildResult | None = None
        self.generation = 0
        self.root = load_config().root
        self.files = scan(self.root)

    def build(self) -> bool:
        """Build (incrementally after the first time); remember the result or the error."""
        try:
            config = self.load_config()
            self.result = build_site(config, self.out, self.cache, state=self.state, fingerprint=False, in_place=True)
            self.error = None
        except SiteError as error:
            self.error = error
            self.log(f"error: {error}")
        else:
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


def make_app(preview: Preview) -> Any:
    """The tornado application: the built site, the reload socket and a status endpoint."""
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
    from livereload.server import LiveScriptInjector
    from tornado import web

    def script() -> bytes:
        """livereload.js, plus a once-a-second check of the build generation so that a page
        that was loading while a rebuild finished still catches up."""
        return (
            '<script>(function(){var s=document.createElement("script");'
            's.src="/livereload.js?port="+(window.location.port||(window.location.protocol=="https:"?443:80));'
            f"document.head.appendChild(s);var g={preview.generation};"
            f'setInterval(function(){{fetch("{STATUS_PATH}").then(function(r){{return r.json()}})'
            ".then(function(j){if(j.generation!==g)location.reload()}).catch(function(){})},1000);"
            "})();</script>"
        ).encode()

    class Injector(LiveScriptInjector):
        """Adds the reload script (only while serving) and, after a failed build, the error."""

        def transform_first_chunk(self, status_code: int, headers: Any, chunk: bytes, finishing: bool) -> Any:
            if "html" not in headers.get("Content-Type", "") or b"</head>" not in chunk:
                return status_code, headers, chunk
            extra = b""
            if preview.error is not None:
                extra = error_banner(preview.error).encode()
            chunk = chunk.replace(b"</head>", script() + b"</head>", 1)
            chunk = re.sub(rb"(<body[^>]*>)", lambda m: m.group(1) + extra, chunk, count=1)
            if "Content-Length" in headers:
                headers["Content-Length"] = str(len(chunk))
            return status_code, headers, chunk

    class SiteHandler(web.StaticFileHandler):
        """Files of the built site only: anything resolving outside it is a 404."""

        def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
            real_root = os.path.realpath(root)
            real = os.path.realpath(absolute_path)
            if real != real_root and not real.startswith(real_root + os.sep):
                raise web.HTTPError(404)
            if os.path.isdir(real) and not self.request.path.endswith("/"):
                self.redirect(self.request.path + "/", permanent=False)
                return None
            if os.path.isdir(real):
                real = os.path.join(real, "index.html")
            if not os.path.isfile(real):
                raise web.HTTPError(404)
            return str(real)

        def write_error(self, status_code: int, **kwargs: Any) -> None:
            page = preview.out / "404.html"
            self.set_header("Content-Type", "text/html; charset=utf-8")
            if status_code == 403:  # tornado's own refusal of paths outside the root
                status_code = 404
                self.set_status(404)
            if status_code == 404 and page.is_file():
                self.finish(page.read_bytes())
            elif preview.error is not None:
                self.finish(
                    f"<!doctype html><html><head><title>Build failed</title></head><body>{error_banner(preview.error)}</body></html>"
                )
            else:
                self.finish(f"<!doctype html><html><head><title>{status_code}</title></head><body><h1>{status_code}</h1></body></html>")

        def compute_etag(self) -> None:
            return None  # always send the current file

        def set_extra_headers(self, path: str) -> None:
            self.set_header("Cache-Control", "no-store")

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
            (r"/(.*)", SiteHandler, {"path": str(preview.out), "default_filename": "index.html"}),
        ],
        transforms=[Injector],
    )


def watch(preview: Preview) -> None:
    """One poll: rebuild if a source file changed, then tell the browsers."""
    from livereload.handlers import LiveReloadHandler

    changed = preview.changes()
    if not changed:
        return
    started = time.perf_counter()
    ok = preview.build()
    preview.log(
        f"  {len(changed)} changed ({', '.join(changed[:3])}{'...' if len(changed) > 3 else ''}) -> {time.perf_counter() - started:.3f} s"
    )
    LiveReloadHandler.reload_waiters(reload_path(changed) if ok else "*")


def serve(load_config: Callable[[], Config], out: Path, cache: Cache, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build, then serve until interrupted. Build errors are shown, never fatal."""
    from tornado import ioloop

    preview = Preview(load_config, out, cache, log=lambda message: print(message, flush=True))
    if preview.build() is False and not out.is_dir():
        out.mkdir(parents=True)
    app = make_app(preview)
    app.listen(port, address=host)
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving {out} at http://{shown}:{port}/ (Ctrl+C to stop)", flush=True)
    ioloop.PeriodicCallback(lambda: watch(preview), POLL_MS).start()
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    return 0
