"""A content-addressed cache in ``.cache/``: values keyed by a hash of their inputs.

Keys are built by the caller from everything that can change a value (input bytes,
chart code, library versions). Writes are atomic; an entry that cannot be read, or read
as the value its caller expects, is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .output import process_running, write_file

CACHE_DIR = ".cache"
T = TypeVar("T")


def cache_key(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


class Cache:
    """JSON values on disk, one file per key, sharded by the key's first two hex digits."""

    def __init__(self, folder: Path | None):
        self.folder = folder  # None: a cache that remembers nothing (``--no-cache``)

    def _path(self, kind: str, key: str) -> Path:
        assert self.folder is not None
        return self.folder / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str, read: Callable[[Any], T]) -> T | None:
        """The entry under ``key``, as ``read`` makes it from the JSON, or None: missing,
        corrupt, or of another shape (``read`` raises ``TypeError``, ``ValueError``...)."""
        if self.folder is None:
            return None
        try:
            with open(self._path(kind, key), encoding="utf-8") as file:
                return read(json.load(file))
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # a miss: the caller makes the value again

    def has(self, kind: str, key: str) -> bool:
        return self.folder is not None and self._path(kind, key).is_file()

    def put(self, kind: str, key: str, value: Any) -> None:
        if self.folder is not None:
            self._write(self._path(kind, key), json.dumps(value, separators=(",", ":")).encode())

    def load_object(self, name: str, key: str) -> Any | None:
        """A pickled object saved under ``name`` by this very engine and inputs ``key``."""
        if self.folder is None:
            return None
        try:
            with open(self.folder / "state" / f"{name}.pickle", "rb") as file:
                saved_key, value = pickle.load(file)
        except Exception:  # missing, corrupt, or from another version: a miss
            return None
        return value if saved_key == key else None

    def save_object(self, name: str, key: str, value: Any) -> None:
        if self.folder is not None:
            self._write(self.folder / "state" / f"{name}.pickle", pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL))

    def mark_stale(self, name: str) -> None:
        """Make the object saved under ``name`` a miss until it is saved again (written,
        not deleted: a cache that cannot be written fails here, before anything else)."""
        self.save_object(name, "stale", None)

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        assert self.folder is not None
        tmp = self.folder / "tmp" / f"{path.name}.tmp-{os.getpid()}"  # one writer per process and file
        tmp.parent.mkdir(exist_ok=True)
        try:
            write_file(tmp, data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def clean_leftovers(self) -> None:
        """Remove the half-written entries of builds that were killed (in ``tmp/``)."""
        for path in (self.folder / "tmp").glob("*.tmp-*") if self.folder is not None else ():
            pid = path.name.rpartition("-")[2]
            if pid.isdigit() and not process_running(int(pid)):
                path.unlink(missing_ok=True)
