"""The real preview server, over real HTTP: edits, errors, recovery, incremental rebuilds, safety."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, make_site, run, snapshot
from test_errors import edit

from broadsheet.server import scan, sources_digest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, root: Path, port: int, process: subprocess.Popen[str]):
        self.root, self.port, self.process = root, port, process

    def get(self, path: str) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path)  # sent as written: no client-side normalisation
        response = conn.getresponse()
        body = response.read().decode("utf-8", "replace")
        conn.close()
        return response.status, body

    def status(self) -> dict:
        return json.loads(self.get("/_broadsheet/status")[1])

    def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.status()
            if predicate(status):
                return status
            time.sleep(0.05)
        raise AssertionError(f"timed out; last status {status}")

    def settled(self, timeout: float = 10.0) -> dict:
        """The status once the server has built exactly the files as they are now (not a
        state it caught halfway through several writes) and is not building."""
        return self.wait_for(lambda s: not s["building"] and s["sources"] == sources_digest(scan(self.root)), timeout)

    def after_edit(self, path: str, old: str, new: str, timeout: float = 10.0) -> dict:
        generation = self.status()["generation"]
        file = self.root / path
        text = file.read_text()
        assert old in text
        file.write_text(text.replace(old, new, 1))
        status = self.settled(timeout)
        assert status["generation"] > generation, status
        return status


@contextlib.contextmanager
def running_server(folder: Path, cache: Path, *options: str, env: dict[str, str] | None = None, start: float = 30) -> Iterator[Server]:
    """``build.py serve [options]`` on a copy of the test site in ``folder`` (its log in
    folder/server.log), once its first build is done (within ``start`` seconds)."""
    root = make_site(folder)
    assert run(root, cache=cache) == 0  # warm the shared cache
    port = free_port()
    log = open(folder / "server.log", "w")  # noqa: SIM115 (closed in finally)
    command = [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--port", str(port), "--cache-dir", str(cache)]
    process = subprocess.Popen([*command, *options], stdout=log, stderr=subprocess.STDOUT, text=True, env=env)
    server = Server(root, port, process)
    try:
        deadline = time.monotonic() + start
        while True:
            try:
                if server.status()["generation"] >= 1:
                    break
            except OSError:
                pass
            assert process.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def server(tmp_path: Path, shared_cache: Path) -> Iterator[Server]:
    """A server of its own, for a test that stops it or changes the site for good."""
    with running_server(tmp_path, shared_cache) as server:
        yield server


@pytest.fixture(scope="module")
def one_server(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("preview"), shared_cache) as server:
        yield server


def tree(root: Path) -> dict[Path, bytes | None]:
    """The site's files, symlinks and folders (not its caches): a file's bytes, None for the others."""
    found: dict[Path, bytes | None] = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith((".", "__pycache__"))]
        for name in dirs + files:
            path = Path(folder) / name
            found[path] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return found


def put_back(root: Path, before: dict[Path, bytes | None]) -> list[Path]:
    """Remove what was added under ``root`` and rewrite what was changed; returns both."""
    after = tree(root)
    added = sorted(after.keys() - before.keys(), reverse=True)  # (a folder's files before the folder)
    for path in added:
        path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
    changed = [path for path, data in before.items() if data is not None and after.get(path) != data]
    for path in changed:
        path.write_bytes(before[path] or b"")
    return added + changed


@pytest.fixture
def preview(one_server: Server) -> Iterator[Server]:
    """The module's one server, with its site put back as it was after each test (files edited,
    added or linked) and rebuilt: tests share the server's start-up, never the site's state."""
    before = tree(one_server.root)
    yield one_server
    put_back(one_server.root, before)
    status = one_server.settled()  # (a build of the site halfway put back may fail: it is not the one to judge)
    assert status["ok"], status


def test_serves_the_site_with_reload_script_only_while_serving(preview: Server) -> None:
    status, body = preview.get("/")
    assert status == 200 and "Home of the &#34;tests&#34;" in body
    assert "/livereload.js" in body
    assert "livereload" not in (preview.root / "public/index.html").read_text()
    assert preview.get("/notes/coal/")[0] == 200
    assert preview.get("/no/such/page/")[0] == 404


def test_edit_shows_up_and_only_that_page_is_rendered(preview: Server) -> None:
    status = preview.after_edit("content/notes/coal.md", "## By year", "## Year by year")
    assert status["ok"] and status["rendered"] == ["/notes/coal/"]
    assert "Year by year" in preview.get("/notes/coal/")[1]


def test_broken_front_matter_is_shown_in_the_browser_and_recovers(preview: Server) -> None:
    status = preview.after_edit("content/notes/coal.md", "order: 2", "order: two")
    assert not status["ok"] and status["error"].startswith("content/notes/coal.md:4: 'order' must be integer")
    code, body = preview.get("/notes/coal/")
    assert code == 200 and 'id="broadsheet-error"' in body and "content/notes/coal.md:4:" in body
    assert "Missiles tested a year" in body  # the last good page stays under the error
    status = preview.after_edit("content/notes/coal.md", "order: two", "order: 2")
    assert status["ok"]
    assert "broadsheet-error" not in preview.get("/notes/coal/")[1]


def test_unknown_chart_id_and_template_errors_recover(preview: Server) -> None:
    status = preview.after_edit("content/index.md", "id: yields", "id: nope")
    assert status["error"].startswith("content/index.md:13: unknown chart id 'nope'")
    assert preview.after_edit("content/index.md", "id: nope", "id: yields")["ok"]
    status = preview.after_edit("templates/page.html", "{{ page.title }}", "{{ page.nope }}")
    assert status["error"].startswith("templates/page.html:5: template error")
    assert preview.after_edit("templates/page.html", "{{ page.nope }}", "{{ page.title }}")["ok"]


def test_csv_edit_rebuilds_only_pages_using_that_dataset(preview: Server, tmp_path: Path, shared_cache: Path) -> None:
    (preview.root / "content/about.md").write_text("---\ntitle: About\ndescription: No data here.\n---\n\nText.\n")
    assert preview.settled()["rendered"] == ["/about/"]  # not in the navigation
    in_nav = preview.after_edit("content/about.md", "title: About", "title: About\norder: 5")
    assert sorted(in_nav["rendered"]) == ["/", "/about/", "/notes/coal/"]  # the navigation changed everywhere
    assert preview.after_edit("content/about.md", "Text.", "More text.")["rendered"] == ["/about/"]
    # tests.csv feeds the chart on / and the dataset catalogue on /notes/coal/ (the chart of
    # the edited data is rendered into the shared cache first: what matters here is which
    # pages the server renders again, not that it starts a chart worker for one chart)
    warm = make_site(tmp_path / "warm")
    edit(warm / "data/tests.csv", "109.4,60.8,158.0", "109.4,60.8,158.1")
    assert run(warm, cache=shared_cache) == 0
    status = preview.after_edit("data/tests.csv", "109.4,60.8,158.0", "109.4,60.8,158.1")
    assert status["ok"] and sorted(status["rendered"]) == ["/", "/notes/coal/"]
    assert "158.1" in preview.get("/")[1]
    # a page whose only change is its dataset is rendered alone; /about/ never is
    preview.after_edit("content/notes/coal.md", "```datasets\n```", "")
    status = preview.after_edit("data/tests.csv", "109.4,60.8,158.1", "109.4,60.8,158.0")
    assert status["rendered"] == ["/"]
    status = preview.after_edit("data/missiles.csv", "2017,21,6", "2017,22,6")
    assert status["rendered"] == ["/notes/coal/"]


def test_csv_edit_rebuilds_the_pages_that_cite_the_changed_figure(preview: Server, tmp_path: Path, shared_cache: Path) -> None:
    generation = preview.status()["generation"]
    text = "---\ntitle: About\ndescription: A figure.\n---\n\nThe sixth test: {= tests[test_number=6].yield_kt_central as .1f } kt.\n"
    (preview.root / "content/about.md").write_text(text)
    assert preview.wait_for(lambda s: s["generation"] > generation)["rendered"] == ["/about/"]
    assert '<data value="109.4" tabindex="0" aria-describedby="bound-1">109.4</data>' in preview.get("/about/")[1]
    warm = make_site(tmp_path / "warm")  # (the charts of the edited data, rendered into the shared cache first)
    for old, new in (("2,2009-05-25,7.7,5.7", "2,2009-05-25,7.7,5.8"), ("6,2017-09-03,109.4,", "6,2017-09-03,112.5,")):
        edit(warm / "data/tests.csv", old, new)
        assert run(warm, cache=shared_cache) == 0
    # a cell /about/ does not cite: the pages that plot or list the file, not /about/
    status = preview.after_edit("data/tests.csv", "2,2009-05-25,7.7,5.7", "2,2009-05-25,7.7,5.8")
    assert status["ok"] and sorted(status["rendered"]) == ["/", "/notes/coal/"]
    # the cell it cites: /about/ too, with the new figure
    status = preview.after_edit("data/tests.csv", "6,2017-09-03,109.4,", "6,2017-09-03,112.5,")
    assert status["ok"] and sorted(status["rendered"]) == ["/", "/about/", "/notes/coal/"]
    body = preview.get("/about/")[1]
    assert '<data value="112.5"' in body and "109.4" not in body
    # the cited row removed: the error at the Markdown line, in the browser, and back once it is restored
    status = preview.after_edit("data/tests.csv", "6,2017-09-03,112.5,60.8,158.0\n", "")
    assert status["error"].startswith("content/about.md:6: bound value: no row of 'tests' has test_number=6")
    assert "content/about.md:6:" in preview.get("/about/")[1]


def test_template_edit_rebuilds_pages_that_use_it(preview: Server) -> None:
    status = preview.after_edit("templates/_table.html", '<p class="chart-title"', '<p class="chart-title table-title"')
    assert status["rendered"] == ["/notes/coal/"]
    status = preview.after_edit("templates/base.html", "Skip to content", "Skip to the content")
    assert sorted(status["rendered"]) == ["/", "/notes/coal/"]


def test_bad_csv_value_is_reported_then_recovers(preview: Server) -> None:
    status = preview.after_edit("data/missiles.csv", "2015,15,2", "2015,15,two")
    assert status["error"].startswith("data/missiles.csv:5: column 'failures': not an integer")
    assert "data/missiles.csv:5:" in preview.get("/")[1]
    assert preview.after_edit("data/missiles.csv", "2015,15,two", "2015,15,2")["ok"]


@pytest.mark.parametrize(
    "path",
    [
        "/../site.toml",
        "/%2e%2e/site.toml",
        "/%2E%2E%2Fsite.toml",
        "/..%2fsite.toml",
        "//etc/passwd",
        "/%2Fetc%2Fpasswd",
        "/static/../../site.toml",
        "/link/site.toml",
        "/link-file",
    ],
)
def test_nothing_outside_the_output_folder_is_readable(preview: Server, path: str) -> None:
    public = preview.root / "public"
    (public / "link").symlink_to(preview.root, target_is_directory=True)
    (public / "link-file").symlink_to(preview.root / "site.toml")
    code, body = preview.get(path)
    assert code in (400, 404), (path, code)
    assert "Test tests" not in body or "Page not found" in body
    assert "root:" not in body


def test_listens_on_loopback_only(preview: Server) -> None:
    port_hex = f"{preview.port:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if os.path.exists(table):
            for line in Path(table).read_text().splitlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                if local.endswith(":" + port_hex) and state == "0A":
                    listening.append(local.split(":")[0])
    assert listening and all(addr in ("0100007F", "00000000000000000000000001000000") for addr in listening), listening


def big_page(paragraphs: int = 500, tables: int = 300) -> str:
    """A page of several hundred KB of HTML (data pages pass 64 KiB easily: here, prose and
    many tables), within the Markdown size limit, that ends with a marker."""
    text = [f"Paragraph {n}: {'the quick brown fox jumps over the lazy dog ' * 3}" for n in range(paragraphs)]
    text += [f"```table\ndata: missiles\ntitle: Missiles, copy {n}\n```" for n in range(tables)]
    body = "\n\n".join(text)
    return f'---\ntitle: Big\ndescription: A long page.\n---\n\n{body}\n\n<p id="the-end">The end.</p>\n'


def add_big_page(server: Server) -> None:
    (server.root / "content/big.md").write_text(big_page())
    assert server.settled()["ok"]


def test_a_page_of_several_hundred_kb_arrives_whole(preview: Server) -> None:
    add_big_page(preview)
    conn = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=10)
    conn.request("GET", "/big/")
    response = conn.getresponse()
    body = response.read()
    conn.close()
    assert response.status == 200 and len(body) > 400_000
    assert int(response.headers["Content-Length"]) == len(body)
    assert b'<p id="the-end">The end.</p>' in body and body.rstrip().endswith(b"</html>")
    assert b"/livereload.js" in body and b"Paragraph 499:" in body
    assert "Tried to write more data" not in (preview.root.parent / "server.log").read_text()


def test_preview_never_writes_where_the_build_publishes(preview: Server, tmp_path: Path, shared_cache: Path) -> None:
    public = preview.root / "public"
    built = snapshot(public)
    preview.after_edit("content/notes/coal.md", "## By year", "## Year by year")  # touched while serving
    assert "Year by year" in preview.get("/notes/coal/")[1]
    assert snapshot(public) == built  # nothing written into public/
    assert run(preview.root, cache=shared_cache) == 0
    cold = make_site(tmp_path / "cold")
    (cold / "content/notes/coal.md").write_text((preview.root / "content/notes/coal.md").read_text())
    assert run(cold, "build", "--no-cache") == 0
    assert snapshot(public) == snapshot(cold / "public")


CROWDED = """
import altair as alt
import pandas as pd

from broadsheet import chart


@chart("crowded", data=["missiles"])
def crowded(missiles):
    points = pd.DataFrame({"x": [1, 1.05], "label": ["Jan $126.39 m", "Feb $104.59 m"]})
    return alt.Chart(points).mark_text(align="left").encode(x="x:Q", text="label:N")
"""


def test_chart_text_warnings_are_shown_over_the_page_and_go_when_fixed(server: Server) -> None:
    """The preview's overlay names a chart whose text overlaps, at its line; the page is
    served as built, and the overlay goes once the chart is fixed."""
    (server.root / "charts" / "crowded.py").write_text(CROWDED)
    page = (
        "---\ntitle: Crowded\ndescription: Two labels on one spot.\n---\n\n```chart\nid: crowded\ntitle: Crowded\ndescription: Text.\n```\n"
    )
    generation = server.status()["generation"]
    (server.root / "content" / "crowded.md").write_text(page)
    status = server.wait_for(lambda s: s["generation"] > generation)
    warning = "charts/crowded.py:8: warning: chart 'crowded' (wide): 'Jan $126.39 m' overlaps 'Feb $104.59 m'"
    assert status["ok"] and warning in status["warnings"]
    code, body = server.get("/crowded/")
    assert code == 200 and 'id="broadsheet-warnings"' in body and "charts/crowded.py:8: warning: chart &#x27;crowded&#x27;" in body
    status = server.after_edit("charts/crowded.py", '"x": [1, 1.05]', '"x": [1, 3]')
    assert status["ok"] and status["warnings"] == []
    assert 'id="broadsheet-warnings"' not in server.get("/crowded/")[1]


def serve_command(root: Path, cache: Path, *options: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "serve", "--root", str(root), "--cache-dir", str(cache), *options]


@pytest.mark.parametrize(
    ("port", "message"),
    [
        ("99999", "error: --port: must be a whole number from 1 to 65535 (or 0: any free port), found '99999'"),
        ("65536", "error: --port: must be a whole number from 1 to 65535 (or 0: any free port), found '65536'"),
        ("-1", "error: --port: must be a whole number from 1 to 65535 (or 0: any free port), found '-1'"),
        ("eighty", "error: --port: must be a whole number from 1 to 65535 (or 0: any free port), found 'eighty'"),
    ],
)
def test_a_port_that_cannot_be_is_refused_before_the_build(port: str, message: str, site: Path, shared_cache: Path) -> None:
    """--port 99999 printed one address and listened on another; --port -1 gave
    'Servname not supported for ai_socktype'."""
    done = subprocess.run(serve_command(site, shared_cache, "--port", port), capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr.splitlines()[0]) == (1, message), done.stderr
    assert "Traceback" not in done.stderr and "Serving" not in done.stdout and not (site / "public").exists()


def test_a_port_in_use_is_named(site: Path, shared_cache: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(serve_command(site, shared_cache, "--port", str(port)), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.startswith(f"error: --port: http://127.0.0.1:{port}/ is in use (another preview?)"), done.stderr
    assert "hint: " in done.stderr and "rendering" not in done.stderr  # (refused before the build)


def test_port_0_serves_on_a_free_port_and_says_which(site: Path, shared_cache: Path) -> None:
    command = serve_command(site, shared_cache, "--port", "0")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert process.stdout is not None
        line = next(line for line in process.stdout if line.startswith("Serving") or process.poll() is not None)
        address = line.split(" at ")[1].split()[0]
        port = int(address.removeprefix("http://127.0.0.1:").rstrip("/"))
        assert port > 0 and Server(site, port, process).get("/")[0] == 200, line
    finally:
        process.terminate()
        process.communicate(timeout=10)  # (and its output closed)


def chart_workers(server: Server) -> set[int]:
    """The server's chart worker processes (spawned children), by process id."""
    tasks = Path(f"/proc/{server.process.pid}/task").iterdir()  # (a thread's children are listed under it)
    children = []
    for task in tasks:
        try:
            children += (task / "children").read_text().split()
        except FileNotFoundError:  # (a thread that ended meanwhile)
            continue
    ids = set()
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:  # (ended meanwhile)
            continue
        if b"multiprocessing.spawn" in command:
            ids.add(int(child))
    return ids


def test_the_chart_worker_a_rebuild_starts_serves_the_next_rebuild(server: Server) -> None:
    """A chart edit redraws in the warm worker the last edit started: a worker dies with the
    thread that started it (Linux's parent-death signal is per thread), and a thread per
    rebuild cost every chart edit a fresh worker (~1.5 s of the explainer's 2 s)."""
    status = server.after_edit("charts/yields.py", 'title="Test date"', 'title="Date of the test"')
    assert status["ok"], status
    first = chart_workers(server)
    status = server.after_edit("charts/yields.py", 'title="Date of the test"', 'title="Day of the test"')
    assert status["ok"], status
    assert first and chart_workers(server) == first


def test_a_rebuild_that_fails_unexpectedly_does_not_stop_the_next(capfd) -> None:
    """Rebuilds share one thread: an engine bug in one (told, with its traceback) must not
    end the thread and with it every later rebuild."""
    from broadsheet import server as preview_server

    threading.Thread(target=preview_server._rebuild_forever, daemon=True).start()
    ran = threading.Event()
    preview_server._rebuilds.put(lambda: 1 / 0)
    preview_server._rebuilds.put(ran.set)
    assert ran.wait(10)
    assert "ZeroDivisionError" in capfd.readouterr().err
