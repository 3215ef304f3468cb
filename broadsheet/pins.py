"""A resource's ``hash`` and ``bytes``: checked after its values, and re-pinned on purpose.

A file an editor corrects on purpose no longer matches its pinned hash; its values are
checked first (``data.load_dataset``), so a bad value is reported at its line, and only
then the hash, whose error names the command that re-pins it: ``broadsheet data pin
[NAME]`` writes the new hash into the descriptor as a minimal text edit of the ``hash``
line (or adds one after ``path``), keeping the file's comments and layout.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import SiteError, known
from .yamlmap import YamlMap

HASHES = ("md5", "sha1", "sha256", "sha512")  # Frictionless: "md5" when no "algorithm:" prefix
NEW_HASH = "sha256"


def split_hash(entry: YamlMap) -> tuple[str, str]:
    """The resource's ``hash`` as (algorithm, expected hex), checked at its line."""
    name = entry.values["name"]
    algorithm, _, expected = str(entry.values["hash"]).rpartition(":")
    algorithm = algorithm.lower() or "md5"
    if algorithm not in HASHES:
        raise entry.error("hash", f"resource '{name}': unknown hash algorithm '{algorithm}'", known(HASHES))
    size = hashlib.new(algorithm).digest_size * 2
    if len(expected) != size or not re.fullmatch("[0-9a-fA-F]+", expected):
        raise entry.error("hash", f"resource '{name}': hash must be {algorithm}:<{size} hex digits>, found {expected!r}")
    return algorithm, expected.lower()


def check_pins(entry: YamlMap, src: str, raw: bytes) -> None:
    """Verify the resource's ``hash`` (``sha256:<hex>``; plain hex is MD5) and ``bytes``."""
    name = entry.values["name"]
    hint = f"if the file changed on purpose, run: broadsheet data pin {name}; otherwise restore the file"
    if "hash" in entry.values:
        algorithm, expected = split_hash(entry)
        actual = hashlib.new(algorithm, raw).hexdigest()
        if expected != actual:
            message = f"resource '{name}': {src} does not match its hash (its {algorithm} is {actual}; 'hash' says {expected})"
            if algorithm == "sha1" and hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest() == expected:
                hint = f"'hash' is git's hash of the file (git hash-object), not its sha1; run: broadsheet data pin {name}"
            raise entry.error("hash", message, hint)
    size = entry.values.get("bytes")
    if isinstance(size, int) and not isinstance(size, bool) and size != len(raw):
        raise entry.error("bytes", f"resource '{name}': {src} has {len(raw)} bytes; 'bytes' says {size}", hint)


@dataclass(frozen=True)
class Pin:
    """One edit ``broadsheet data pin`` makes: the resource, its file and its new hash."""

    descriptor: str
    name: str
    src: str
    line: int  # of the "hash" key, or of "path" when the hash is added after it
    value: str  # algorithm:hex
    added: bool


def pin_value(entry: YamlMap, raw: bytes) -> str:
    algorithm = split_hash(entry)[0] if "hash" in entry.values else NEW_HASH
    return f"{algorithm}:{hashlib.new(algorithm, raw).hexdigest()}"


def write_pins(root: Path, pins: list[Pin]) -> None:
    """Edit each descriptor's text in place: the value on the ``hash`` line, or a line
    added after ``path`` at its indentation (YAML or JSON)."""
    by_file: dict[str, list[Pin]] = {}
    for pin in pins:
        by_file.setdefault(pin.descriptor, []).append(pin)
    for descriptor, edits in by_file.items():
        path = root / descriptor
        lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
        for pin in sorted(edits, key=lambda p: -p.line):  # (bottom up: added lines move none above)
            lines = _edit(lines, pin, descriptor.endswith(".json"))
        path.write_bytes("".join(lines).encode("utf-8"))


def _edit(lines: list[str], pin: Pin, is_json: bool) -> list[str]:
    text = lines[pin.line - 1]
    where = f"{pin.descriptor}:{pin.line}"
    if not pin.added:
        pattern = r'("hash"\s*:\s*")[^"]*(")' if is_json else r"""(\bhash\s*:\s*["']?)[^"'\s#,}]*(["']?)"""
        edited, count = re.subn(pattern, lambda m: m.group(1) + pin.value + m.group(2), text, count=1)
        if not count:
            raise SiteError(pin.descriptor, pin.line, "could not find the hash on this line", "write it by hand")
        return [*lines[: pin.line - 1], edited, *lines[pin.line :]]
    indent = re.match(r"[ \t]*(- )?", text)
    assert indent is not None
    spaces = " " * len(indent.group()) if indent.group(1) else indent.group()
    ending = "\r\n" if text.endswith("\r\n") else "\n"
    if is_json:
        if not re.search(r'^\s*"path"\s*:\s*"[^"]*"\s*,?\s*$', text):
            raise SiteError(where, None, "'path' shares its line with other keys: add the hash by hand")
        if text.rstrip().endswith(","):
            added = f'{spaces}"hash": "{pin.value}",{ending}'
        else:
            text = text.rstrip("\r\n") + "," + ending
            added = f'{spaces}"hash": "{pin.value}"{ending}'
    else:
        if not re.match(r"^\s*(- )?path\s*:", text):
            raise SiteError(where, None, "'path' is not on a line of its own (a flow mapping): add the hash by hand")
        added = f'{spaces}hash: "{pin.value}"{ending}'
    return [*lines[: pin.line - 1], text, added, *lines[pin.line :]]


def plan_pins(root: Path, name: str | None) -> list[Pin]:
    """The edits that pin ``name`` (or, without one, every pinned file that changed), after
    every table is read and checked as a build would (a bad value stops here, at its line)."""
    from .data import DATA_DIR, load_package
    from .descriptor import find_descriptors, read_descriptor

    package = load_package(root, verify=False)
    if name is not None:
        package.get(name, "broadsheet data pin", None)
    pins = []
    for location in find_descriptors(root, DATA_DIR):
        for entry in read_descriptor(root, location.src).items("resources"):
            full = location.prefix + str(entry.values.get("name"))
            dataset = package.datasets.get(full)
            if dataset is None or (name is not None and full != name) or (name is None and "hash" not in entry.values):
                continue
            if "data" in entry.values:
                raise entry.error("data", f"resource '{full}' is inline data: there is no file to pin")
            value = pin_value(entry, dataset.raw)
            if "hash" in entry.values and value == f"{split_hash(entry)[0]}:{split_hash(entry)[1]}":
                continue
            added = "hash" not in entry.values
            pins.append(Pin(location.src, full, dataset.src, entry.line_of("path" if added else "hash"), value, added))
    return pins
