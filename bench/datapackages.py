"""Real data packages, dropped into a scratch site exactly as downloaded, built, and every
value Broadsheet loads compared with what frictionless-py reads.

    .venv/bin/python bench/datapackages.py --python /work/corpora/fl-venv/bin/python \
        /work/corpora/datapackages/* [--fixtures /work/corpora/fl-fixtures/data]

Each PACKAGE folder (a repository of the ``datasets`` organisation, vega-datasets' npm
package...) is copied whole to ``data/NAME/`` of a new site, which is built with the real
engine (into memory). With ``--fixtures``, each package descriptor among frictionless-py's
own test fixtures is given the schemas frictionless-py infers (Broadsheet infers none) and
compared the same way. Prints one Markdown table: per package, loaded or the error, the
cells compared and the disagreements (the first few listed below the table).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from broadsheet import Cache, MemoryOutput, SiteError, build_site, load_config  # noqa: E402
from broadsheet.data import Dataset  # noqa: E402

HELPER = Path(__file__).resolve().parent / "frictionless_rows.py"
NAMES = ("datapackage.json", "datapackage.yaml", "datapackage.yml")
SITE = 'title = "Packages"\ndescription = "Real data packages, as published."\nbase_url = "https://example.org/"\n'
PAGE = "---\ntitle: Packages\ndescription: Every dataset of the packages.\n---\n\n```datasets\n```\n"


def scratch_site(tmp: Path, name: str, package: Path, descriptor: dict[str, Any] | None = None) -> Path:
    site = tmp / name
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text(SITE)
    (site / "content" / "index.md").write_text(PAGE)
    shutil.copytree(package, site / "data" / name, ignore=shutil.ignore_patterns(".git"))
    if descriptor is not None:  # (a fixture: the descriptor frictionless-py inferred)
        for old in NAMES:
            (site / "data" / name / old).unlink(missing_ok=True)
        (site / "data" / name / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    return site


def frictionless_read(python: str, descriptor: Path) -> dict[str, Any]:
    done = subprocess.run([python, str(HELPER), str(descriptor)], capture_output=True, text=True, timeout=900, cwd=descriptor.parent)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed", "resources": {}}
    return json.loads(done.stdout)


def same(kind: str, ours: str | None, theirs: Any) -> bool:
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if kind in ("integer", "number", "year"):
        try:
            return Decimal(ours) == Decimal(str(theirs))
        except InvalidOperation:
            return False
    if kind == "datetime" and isinstance(theirs, str):
        return ours == theirs or ours == theirs.replace("T00:00:00", "")
    return ours == theirs


def compare(dataset: Dataset, theirs: dict[str, Any]) -> tuple[int, list[str]]:
    rows = theirs.get("rows")
    if rows is None:
        return 0, [f"{dataset.name}: frictionless-py read no rows ({theirs.get('error')})"]
    problems = []
    if len(rows) != len(dataset.rows):
        problems.append(f"{dataset.name}: {len(dataset.rows)} rows against frictionless-py's {len(rows)}")
    cells = 0
    for number, (ours, row) in enumerate(zip(dataset.rows, rows, strict=False), 1):
        for field, a, b in zip(dataset.fields, ours, row, strict=False):
            cells += 1
            if not same(field.type, a, b):
                problems.append(f"{dataset.name} row {number} {field.name} ({field.type}): Broadsheet {a!r}, frictionless-py {b!r}")
    return cells, problems


def run_one(tmp: Path, name: str, folder: Path, python: str, fixture: Path | None = None) -> dict[str, Any]:
    descriptor = fixture or next((folder / n for n in NAMES if (folder / n).is_file()), None)
    if descriptor is None:
        return {"package": name, "loaded": "no descriptor", "verdict": "", "datasets": 0, "cells": 0, "problems": []}
    theirs = frictionless_read(python, descriptor)
    verdict = _verdict(theirs)
    if fixture is not None and theirs.get("descriptor") is None:
        return {"package": name, "loaded": "(not read)", "verdict": verdict, "datasets": 0, "cells": 0, "problems": []}
    inferred = theirs["descriptor"] if fixture is not None else None
    if inferred is not None:  # (Broadsheet needs a source for every dataset; the fixtures name none)
        inferred.setdefault(
            "sources", [{"title": "frictionless-py's fixtures", "path": "https://github.com/frictionlessdata/frictionless-py"}]
        )
    site = scratch_site(tmp, name, folder, inferred)
    try:
        result = build_site(load_config(site), MemoryOutput({}), Cache(None))
    except SiteError as error:
        loaded = f"refused: {error}".replace(str(site) + "/", "").split("\n")[0]
        return {"package": name, "loaded": loaded, "verdict": verdict, "datasets": 0, "cells": 0, "problems": []}
    cells, problems = 0, []
    datasets = [d for d in result.site.package.datasets.values() if d.package == name]
    for dataset in datasets:
        mine = dataset.name.removeprefix(name + "/")
        if mine not in theirs.get("resources", {}):
            problems.append(f"{dataset.name}: frictionless-py has no such resource")
            continue
        count, found = compare(dataset, theirs["resources"][mine])
        cells += count
        problems += found
    warnings = len(result.site.package.warnings)
    loaded = "loaded" + (f" ({warnings} warning{'s' * (warnings != 1)})" if warnings else "")
    return {"package": name, "loaded": loaded, "verdict": verdict, "datasets": len(datasets), "cells": cells, "problems": problems}


def _verdict(theirs: dict[str, Any]) -> str:
    """frictionless-py's own validation of the package: valid, or its first error."""
    if theirs.get("error"):
        return "not read: " + str(theirs["error"])[:80]
    for name, resource in theirs.get("resources", {}).items():
        if resource.get("error"):
            return f"invalid: {name}: {str(resource['error'])[:80]}"
    return "valid"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="*", type=Path, help="folders, each a data package as downloaded")
    parser.add_argument("--python", required=True, help="a Python with frictionless-py installed")
    parser.add_argument("--fixtures", type=Path, help="frictionless-py's data/ folder")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for folder in args.packages:
            results.append(run_one(Path(tmp), folder.name, folder, args.python))
        if args.fixtures:
            for descriptor in sorted(args.fixtures.glob("*.json")):
                text = descriptor.read_text(errors="replace")
                if '"resources"' in text and "package" in descriptor.name:
                    name = "fx-" + descriptor.name.removesuffix(".json").replace(".", "-").lower()
                    results.append(run_one(Path(tmp), name, args.fixtures, args.python, fixture=descriptor))
    print("| package | Broadsheet | frictionless-py's validation | datasets | cells compared | disagreements |")
    print("|---|---|---|--:|--:|--:|")
    for r in results:
        cells = [r["package"], r["loaded"], r["verdict"], r["datasets"], f"{r['cells']:,}", len(r["problems"])]
        print("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    total = sum(r["cells"] for r in results)
    print(f"\n{total:,} cells compared; {sum(len(r['problems']) for r in results)} disagreements.\n")
    for r in results:
        for problem in r["problems"][:5]:
            print(f"- {r['package']}: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
