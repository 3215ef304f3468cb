"""The only module that writes the site: into a staging folder, then swapped in whole."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class Output:
    """Collects files under a staging folder; ``commit`` replaces ``dest`` atomically.

    A build that fails calls ``abort`` (or never commits): ``dest`` stays untouched.
    """

    def __init__(self, dest: Path):
        self.dest = dest
        self.staging = dest.parent / f".{dest.name}.staging-{os.getpid()}"
        self.written: list[str] = []
        shutil.rmtree(self.staging, ignore_errors=True)
        self.staging.mkdir(parents=True)

    def write(self, rel: str, data: str | bytes) -> None:
        path = self.staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.written.append(rel)

    def commit(self) -> None:
        old = self.dest.parent / f".{self.dest.name}.old-{os.getpid()}"
        if self.dest.exists():
            os.replace(self.dest, old)
        os.replace(self.staging, self.dest)
        shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
