"""Unit tests of ``Output``, the only writer of a build: staged, in place, in memory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from broadsheet.output import MARKER, MARKER_TEXT, MemoryOutput, Output, clean_leftovers


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_staged_output_replaces_the_folder_whole_on_commit(tmp_path: Path) -> None:
    dest = tmp_path / "public"
    dest.mkdir()
    (dest / "old.html").write_text("old")
    output = Output(dest)
    output.write("index.html", "<p>new</p>")
    output.write("data/a.csv", b"a\n1\n")
    assert files(dest) == {"old.html": b"old"}, "nothing changes before commit"
    output.commit()
    assert files(dest) == {MARKER: MARKER_TEXT, "index.html": b"<p>new</p>", "data/a.csv": b"a\n1\n"}
    assert [p.name for p in tmp_path.iterdir()] == ["public"], "no staging folder left"


def test_staged_output_aborted_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    dest = tmp_path / "public"
    dest.mkdir()
    (dest / "index.html").write_text("old")
    output = Output(dest)
    output.write("index.html", "new")
    output.abort()
    assert files(dest) == {"index.html": b"old"}
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_keep_carries_a_previous_file_into_a_staged_build(tmp_path: Path) -> None:
    dest = tmp_path / "public"
    (dest / "notes").mkdir(parents=True)
    (dest / "notes" / "index.html").write_text("kept")
    output = Output(dest)
    assert output.keep("notes/index.html")
    assert not output.keep("missing.html")
    output.commit()
    assert files(dest) == {MARKER: MARKER_TEXT, "notes/index.html": b"kept"}
    assert output.produced == {"notes/index.html"}


def test_in_place_output_writes_only_changed_files_and_removes_stale_ones(tmp_path: Path) -> None:
    dest = tmp_path / "public"
    dest.mkdir()
    for name, text in (("same.html", "same"), ("changed.html", "before"), ("gone/index.html", "stale")):
        (dest / name).parent.mkdir(exist_ok=True)
        (dest / name).write_text(text)
    os.utime(dest / "same.html", ns=(1, 1))
    output = Output(dest, in_place=True, previous=["same.html", "changed.html", "gone/index.html"])
    output.write("same.html", "same")
    output.write("changed.html", "after")
    assert (dest / "changed.html").read_text() == "before", "written on commit only"
    output.commit()
    assert files(dest) == {MARKER: MARKER_TEXT, "same.html": b"same", "changed.html": b"after"}
    assert (dest / "same.html").stat().st_mtime_ns == 1, "unchanged bytes are not rewritten"
    assert not (dest / "gone").exists(), "a folder left empty is removed"


def test_in_place_output_without_a_list_of_previous_files_deletes_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "public"
    dest.mkdir()
    (dest / "notes.txt").write_text("someone's")
    output = Output(dest, in_place=True)
    output.write("index.html", "new")
    output.commit()
    assert (dest / "notes.txt").read_text() == "someone's"


def test_in_place_output_aborted_writes_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "public"
    dest.mkdir()
    (dest / "index.html").write_text("old")
    output = Output(dest, in_place=True, previous=["index.html"])
    output.write("index.html", "new")
    output.abort()
    assert files(dest) == {"index.html": b"old"}


def test_in_place_on_a_missing_folder_stages_instead(tmp_path: Path) -> None:
    output = Output(tmp_path / "public", in_place=True)
    assert not output.in_place
    output.write("index.html", "x")
    output.commit()
    assert files(tmp_path / "public") == {MARKER: MARKER_TEXT, "index.html": b"x"}


def test_memory_output_holds_exactly_what_the_build_produced() -> None:
    built = {"index.html": b"old", "kept.html": b"kept", "stale.html": b"stale"}
    output = MemoryOutput(built)
    output.write("index.html", "new")
    assert output.keep("kept.html") and not output.keep("missing.html")
    assert built["index.html"] == b"old", "nothing changes before commit"
    output.commit()
    assert built == {"index.html": b"new", "kept.html": b"kept"}


def test_memory_output_aborted_is_unchanged() -> None:
    built = {"index.html": b"old"}
    output = MemoryOutput(built)
    output.write("index.html", "new")
    output.write("other.html", "new")
    output.abort()
    assert built == {"index.html": b"old"}


def test_leftovers_of_dead_builds_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    dead_pid = int(dead.stdout)
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        names = [
            f".public.staging-{dead_pid}",
            f".public.old-{dead_pid}",
            f".public.tmp-{dead_pid}",
            f".public.staging-{live.pid}",
            ".other.staging-1",
        ]
        for name in names:
            (tmp_path / name).mkdir()
        clean_leftovers(tmp_path / "public")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f".public.staging-{live.pid}", ".other.staging-1"])
    finally:
        live.kill()
        live.wait()
