"""The only module that writes the site: into a staging folder swapped in whole, or in place."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path


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

    def write(self, rel: str, data: str | bytes) -> None:
        content = data.encode("utf-8") if isinstance(data, str) else data
        self.produced.add(rel)
        if self.in_place:
            self.pending[rel] = content
            return
        path = self.root / rel
        self._folder(path.parent)
        with open(path, "wb") as file:
            file.write(content)

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
        for rel, content in self.pending.items():
            path = self.root / rel
            try:
                if path.stat().st_size == len(content) and path.read_bytes() == content:
                    continue
            except OSError:
                pass  # not there yet
            self._folder(path.parent)
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            with open(tmp, "wb") as file:
                file.write(content)
            os.replace(tmp, path)
        self.pending.clear()
        if self.previous is not None:
            self._remove(self.previous - self.produced)
        else:
            self._remove_unproduced()

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

    def _remove_unproduced(self) -> None:
        root = str(self.root)
        for folder, dirnames, filenames in os.walk(root, topdown=False):
            rel = os.path.relpath(folder, root)
            prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
            for name in filenames:
                if prefix + name not in self.produced:
                    os.unlink(os.path.join(folder, name))
            if prefix and not dirnames and not os.listdir(folder):
                os.rmdir(folder)

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
