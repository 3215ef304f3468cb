"""The only module that writes the site: into a staging folder swapped in whole, or in place.

It also decides where a build may write at all (``check_destination``): never into the
site's sources, its repository or a folder a Broadsheet build did not make, since a cold
build replaces its output folder whole. A folder a build made holds ``MARKER``, a file
of constant bytes (so the output stays deterministic).
"""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

from .errors import SiteError

MARKER = ".broadsheet-output"
MARKER_TEXT = b"Made by Broadsheet (python build.py): every build replaces this folder whole.\n"
SOURCES = ("content", "data", "charts", "templates", "static", "site.toml", ".git")


class Output:
    """Writes a build. Two modes, same calls:

    - staged (a cold build): files go to a staging folder that replaces ``dest`` in one
      rename on ``commit``; a build that fails calls ``abort`` and ``dest`` is untouched;
    - in place (warm builds, the preview server): writes are held in memory until
      ``commit``, which replaces each changed file atomically (unchanged bytes are left
      alone) and removes the files the previous build made and this one did not. A
      failing build writes nothing. Only a crash during ``commit`` itself can leave old
      and new files side by side (each file whole).

    ``previous`` is what the last build into ``dest`` produced, if known: an in-place
    commit then deletes from that list instead of walking the whole folder.
    """

    def __init__(self, dest: Path, in_place: bool = False, previous: Iterable[str] | None = None):
        self.dest = dest
        self.in_place = in_place and dest.is_dir()
        self.previous = frozenset(previous) if previous is not None else None
        self.produced: set[str] = set()
        self.pending: dict[str, bytes] = {}  # in place: what commit will write
        self._folders: set[Path] = set()  # folders known to exist (one mkdir each)
        self.root = dest if self.in_place else dest.parent / f".{dest.name}.staging-{os.getpid()}"
        if not self.in_place:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root.mkdir(parents=True)
            (self.root / MARKER).write_bytes(MARKER_TEXT)

    def write(self, rel: str, data: str | bytes) -> None:
        content = data.encode("utf-8") if isinstance(data, str) else data
        self.produced.add(rel)
        if self.in_place:
            self.pending[rel] = content
            return
        path = self.root / rel
        self._folder(path.parent)
        write_file(path, content)

    def keep(self, rel: str) -> bool:
        """Keep the file as the previous build wrote it; False if there is none."""
        if not os.path.isfile(f"{self.dest}/{rel}"):
            return False
        if not self.in_place:
            previous = self.dest / rel
            target = self.root / rel
            self._folder(target.parent)
            try:
                os.link(previous, target)  # no copy: the old tree is discarded on commit
            except OSError:
                shutil.copy2(previous, target)
        self.produced.add(rel)
        return True

    def _folder(self, folder: Path) -> None:
        if folder not in self._folders:
            folder.mkdir(parents=True, exist_ok=True)
            self._folders.add(folder)

    def commit(self) -> None:
        if not self.in_place:
            swap_in(self.root, self.dest)
            return
        # Each file is written whole beside the output, then renamed over the old one; a
        # build killed meanwhile leaves only that folder, which the next build removes.
        tmp = self.dest.parent / f".{self.dest.name}.tmp-{os.getpid()}"
        try:
            for n, (rel, content) in enumerate(self.pending.items()):
                path = self.root / rel
                try:
                    if path.stat().st_size == len(content) and path.read_bytes() == content:
                        continue
                except OSError:
                    pass  # not there yet
                self._folder(path.parent)
                self._folder(tmp)
                write_file(tmp / str(n), content)
                os.replace(tmp / str(n), path)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self.pending.clear()
        if not (self.root / MARKER).is_file():
            (self.root / MARKER).write_bytes(MARKER_TEXT)
        if self.previous is not None:  # (without the list, nothing is deleted: it may not be ours)
            self._remove(self.previous - self.produced)

    def _remove(self, stale: Iterable[str]) -> None:
        for rel in stale:
            path = self.root / rel
            path.unlink(missing_ok=True)
            for folder in path.parents:  # and the folders that leaves empty
                if folder == self.root:
                    break
                try:
                    folder.rmdir()
                except OSError:
                    break

    def abort(self) -> None:
        if self.in_place:
            self.pending.clear()
        else:
            shutil.rmtree(self.root, ignore_errors=True)


class MemoryOutput(Output):
    """The preview's output: files held in ``files`` (by path), never on disk.

    Same calls as an in-place ``Output``: writes wait in memory until ``commit``, which
    makes ``files`` exactly what this build produced; ``abort`` leaves it as it was."""

    def __init__(self, files: dict[str, bytes]):  # (no folder: nothing of Output's setup applies)
        self.files = files
        self.in_place = True  # workers send their pages back rather than write them
        self.produced = set()
        self.pending = {}

    def keep(self, rel: str) -> bool:
        if rel not in self.files:
            return False
        self.produced.add(rel)
        return True

    def commit(self) -> None:
        built = {rel: self.pending[rel] if rel in self.pending else self.files[rel] for rel in sorted(self.produced)}
        self.files.clear()
        self.files.update(built)
        self.pending.clear()

    def abort(self) -> None:
        self.pending.clear()


def swap_in(built: Path, dest: Path) -> None:
    """Replace the folder ``dest`` with the folder ``built`` (two renames, no copying)."""
    old = dest.parent / f".{dest.name}.old-{os.getpid()}"
    if dest.exists():
        os.replace(dest, old)
    os.replace(built, dest)
    shutil.rmtree(old, ignore_errors=True)


def write_file(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path``; an error (a full disk) names the file it was writing."""
    try:
        with open(path, "wb") as file:
            file.write(content)
    except OSError as error:
        if error.filename is None:
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise


def clean_leftovers(dest: Path) -> None:
    """Remove what builds into ``dest`` that were killed left beside it (their staging,
    old and temporary folders), unless the process that made them is still running."""
    for path in dest.parent.glob(f".{glob.escape(dest.name)}.*-*"):
        kind, _, pid = path.name.removeprefix(f".{dest.name}.").rpartition("-")
        if kind.startswith("check-"):  # check-PID-random: a --strict build's
            kind, pid = "check", kind.removeprefix("check-")
        if kind in ("staging", "old", "tmp", "check") and pid.isdigit() and not process_running(int(pid)):
            shutil.rmtree(path, ignore_errors=True)  # (best effort: a leftover never fails a build)


def process_running(pid: int) -> bool:
    """Whether the process that named a leftover after itself still runs."""
    if pid == os.getpid():
        return False  # a killed process with our number: we have made nothing yet
    try:
        os.kill(pid, 0)  # (signal 0: only asks)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # someone else's
    return True


def check_cache_folder(folder: Path, root: Path) -> None:
    """Refuse a cache folder that is the site folder or in or around one of its sources:
    the cache writes (and replaces) its own files there."""
    cache, site = Path(os.path.realpath(folder)), Path(os.path.realpath(root))
    shown = str(folder.relative_to(root)) if folder.is_relative_to(root) else str(folder)
    places = [("the site folder", site)] + [(f"the site's {name}", site / name) for name in SOURCES]
    for name, path in places:
        real = Path(os.path.realpath(path))
        if cache == real or real.is_relative_to(cache) or (name != "the site folder" and cache.is_relative_to(real)):
            raise SiteError(
                shown, None, f"not a cache folder: it is, holds or sits inside {name}", "choose a folder of its own, such as .cache"
            )


def check_destination(dest: Path, root: Path, cache: Path | None) -> None:
    """Refuse an output folder whose replacement could lose anything a build did not
    make: the site folder (or one holding it), a source folder or file, the repository,
    the build cache, a file, a folder holding a repository, and a non-empty folder that
    no Broadsheet build made (it has no ``MARKER``)."""
    out, site = Path(os.path.realpath(dest)), Path(os.path.realpath(root))
    shown = str(dest.relative_to(root)) if dest.is_relative_to(root) else str(dest)

    def refuse(reason: str) -> NoReturn:
        raise SiteError(shown, None, f"not an output folder: it {reason}", "choose a folder of its own, such as public")

    if out == site:
        refuse("is the site folder")
    if site.is_relative_to(out):
        refuse("contains the site folder")
    protected = [(f"the site's {name}{'' if '.' in name[1:] else '/'}", site / name) for name in SOURCES]
    protected += [("the build cache", cache)] if cache is not None else []
    protected += [("the Broadsheet engine", Path(__file__).parent)]
    for name, path in protected:
        real = Path(os.path.realpath(path))
        if out == real:
            refuse(f"is {name}")
        if out.is_relative_to(real):
            refuse(f"is inside {name}")
        if real.is_relative_to(out):
            refuse(f"contains {name}")
    if ".git" in out.parts:
        refuse("is inside a repository's .git/")
    for folder in (out, *out.parents):
        if folder.exists() and not folder.is_dir():
            raise SiteError(shown, None, f"not an output folder: {folder} is a file, not a folder")
    if out.is_dir():
        if (out / ".git").exists():
            refuse("contains a repository (.git)")
        if not (out / MARKER).is_file() and any(out.iterdir()):
            raise SiteError(
                shown,
                None,
                "not an output folder: it is not empty and no Broadsheet build made it (it has no .broadsheet-output)",
                "a build replaces its output folder whole: move these files away or choose another --out "
                "(a folder made by a Broadsheet older than this check can simply be deleted)",
            )
