"""The only module that writes the site: into a staging folder, then swapped in whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class Output:
    """Writes a build. Two modes, same calls:

    - staged (a full build): files go to a staging folder that replaces ``dest`` in one
      rename on ``commit``; a build that fails calls ``abort`` and ``dest`` is untouched;
    - in place (the preview server's rebuilds): each changed file is replaced atomically,
      unchanged ones are left alone, and ``commit`` removes files no longer produced.
    """

    def __init__(self, dest: Path, in_place: bool = False):
        self.dest = dest
        self.in_place = in_place and dest.is_dir()
        self.produced: set[str] = set()
        self._folders: set[Path] = set()  # folders known to exist (one mkdir each)
        self.root = dest if self.in_place else dest.parent / f".{dest.name}.staging-{os.getpid()}"
        if not self.in_place:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root.mkdir(parents=True)

    def write(self, rel: str, data: str | bytes) -> None:
        content = data.encode("utf-8") if isinstance(data, str) else data
        path = self.root / rel
        self.produced.add(rel)
        if self.in_place:
            if path.is_file() and path.read_bytes() == content:
                return
            self._folder(path.parent)
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            tmp.write_bytes(content)
            os.replace(tmp, path)
            return
        self._folder(path.parent)
        with open(path, "wb") as file:
            file.write(content)

    def keep(self, rel: str) -> bool:
        """Keep the file as the previous build wrote it; False if there is none."""
        previous = self.dest / rel
        if not previous.is_file():
            return False
        if not self.in_place:
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
        if self.in_place:
            root = str(self.root)
            for folder, dirnames, filenames in os.walk(root, topdown=False):
                rel = os.path.relpath(folder, root)
                prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
                for name in filenames:
                    if prefix + name not in self.produced:
                        os.unlink(os.path.join(folder, name))
                if prefix and not dirnames and not os.listdir(folder):
                    os.rmdir(folder)
            return
        swap_in(self.root, self.dest)

    def abort(self) -> None:
        if not self.in_place:
            shutil.rmtree(self.root, ignore_errors=True)


def swap_in(built: Path, dest: Path) -> None:
    """Replace the folder ``dest`` with the folder ``built`` (two renames, no copying)."""
    old = dest.parent / f".{dest.name}.old-{os.getpid()}"
    if dest.exists():
        os.replace(dest, old)
    os.replace(built, dest)
    shutil.rmtree(old, ignore_errors=True)
