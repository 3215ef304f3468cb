#!/usr/bin/env python3
"""Summarise a py-spy profile recorded with ``--subprocesses --format raw``.

py-spy writes one line per distinct stack, ``frame;frame;... COUNT``, with the frames of
forked or spawned workers nested under a ``process PID:"command"`` frame. This prints
the samples per process, then per function its inclusive share (samples in which it is
on the stack) and its self share (samples in which it is the innermost frame).

usage: python bench/spy_summary.py PROFILE.txt [--top 30] [--process PID]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_LOCATION = re.compile(r" \((?:/[^)]*/)?(?:site-packages/|python3\.\d+/)?")


def read_stacks(path: Path) -> list[tuple[str, list[str], int]]:
    """(owning process, its frames outermost first, sample count) per line."""
    stacks = []
    for line in path.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        owner = max((i for i, f in enumerate(frames) if f.startswith("process ")), default=0)
        process = frames[owner].split(":")[0] if frames[owner].startswith("process ") else "process ?"
        stacks.append((process, [_LOCATION.sub(" (", f) for f in frames[owner + 1 :]], int(count)))
    return stacks


def summarise(stacks: list[tuple[str, list[str], int]], top: int, process: str | None) -> str:
    by_process: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for owner, frames, count in stacks:
        by_process[owner] += count
        if process and owner != f"process {process}":
            continue
        total += count
        for frame in set(frames):
            inclusive[frame] += count
        if frames:
            own[frames[-1]] += count
    lines = [f"samples: {sum(by_process.values())}"]
    lines += [f"  {name}: {n} ({n / sum(by_process.values()):.0%})" for name, n in by_process.most_common()]
    lines += ["", f"inclusive ({'process ' + process if process else 'all processes'}, {total} samples)"]
    lines += [f"{n / total:7.1%} {n:7d}  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "self"]
    lines += [f"{n / total:7.1%} {n:7d}  {name}" for name, n in own.most_common(top)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--process", help="only this process id (a worker, or the main process)")
    args = parser.parse_args()
    print(summarise(read_stacks(args.profile), args.top, args.process))


if __name__ == "__main__":
    main()
