"""Compare ``broadsheet.numberformat`` with the real d3-format, value by value.

Not a test (it needs Node and a d3-format checkout): a differential check of the port.
It formats a grid of specifiers (every type, sign, symbol, zero, width, comma, precision
and trim) over values chosen to hit rounding ties, SI boundaries, exponents and signs,
plus seeded random ones, in d3-format (run by Node) and in Python, and prints every
difference. Optionally it also runs the assertions of d3-format's own test suite.

    npm pack d3-format@3.1.0 && tar xzf d3-format-3.1.0.tgz     # in a scratch folder
    python bench/d3_format_compare.py /path/to/package [--tests /path/to/d3-format/test]

Exits 1 if any output differs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from broadsheet.numberformat import format_number, parse_format  # noqa: E402

TYPES = ["", "e", "f", "g", "r", "s", "%", "p", "d", "b", "o", "x", "X", "n"]
VALUES = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    1.5,
    2.5,
    -2.5,
    0.125,
    0.375,
    2.675,
    1.005,
    1.45,
    9.995,
    99.95,
    999.5,
    999.4999,
    999999.5,
    0.001,
    0.0001234,
    1e-7,
    1.5e-7,
    123456789.0,
    1e21,
    1.5e21,
    1e22,
    4223.0,
    42e6,
    2.73e9,
    2.73,
    0.5391,
    19600000.0,
    22490000.0,
    1000866.0,
    53495894.0,
    400870018.0,
    0.053495894,
    0.123,
    -0.123,
    3.5,
    -3.5,
    42.0,
    48879.0,
    1500.0,
    0.049999999999999996,
    0.45,
    0.55,
    123.456,
    -123.456,
    1e-25,
    5e-324,
    1.7976931348623157e308,
    255.0,
    0.0049,
]


def specifiers(rng: random.Random) -> list[str]:
    found = [
        f"{sign}{symbol}{comma}{precision}{trim}{kind}"
        for kind in TYPES
        for sign in ("", "+", "(", " ")
        for symbol in ("", "$", "#")
        for comma in ("", ",")
        for precision in ("", ".0", ".1", ".3", ".12")
        for trim in ("", "~")
    ]
    found += [
        f"{fill}{align}{sign}{zero}{width}{comma}.2{kind}"
        for fill, align in (("", ""), ("*", "<"), ("0", "="), ("", "^"), (".", ">"))
        for sign in ("", "(")
        for zero in ("", "0")
        for width in ("", "12")
        for comma in ("", ",")
        for kind in ("f", "s", "d", "%")
    ]
    return sorted(set(found)) + [rng.choice(found) for _ in range(50)]


def values(rng: random.Random) -> list[float]:
    extra = [round(rng.uniform(-1e6, 1e6), rng.randint(0, 6)) for _ in range(30)]
    extra += [rng.choice([1, -1]) * 10 ** rng.uniform(-10, 25) for _ in range(30)]
    extra += [round(rng.uniform(0, 10), 3) + 0.0005 for _ in range(20)]  # near ties
    return VALUES + extra


NODE = """
const [pkg, cases] = [process.argv[1], JSON.parse(require("fs").readFileSync(0, "utf8"))];
import(pkg + "/src/index.js").then(d3 => {
  process.stdout.write(JSON.stringify(cases.map(([s, v]) => { try { return d3.format(s)(v); } catch (e) { return "ERROR"; } })));
});
"""


def run_d3(package: Path, cases: list[tuple[str, float]]) -> list[str]:
    done = subprocess.run(["node", "-e", NODE, str(package)], input=json.dumps(cases), capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout))


def suite_cases(test_dir: Path) -> list[tuple[str, float, str]]:
    """``assert.strictEqual(format("SPEC")(VALUE), "EXPECTED")`` lines of d3-format's tests."""
    pattern = re.compile(r'assert\.strictEqual\(format\("((?:[^"\\]|\\.)*)"\)\(([-+.\deE]+)\),\s*"((?:[^"\\]|\\.)*)"\)')
    found = []
    for path in sorted(test_dir.glob("format*-test.js")):
        for spec, value, expected in pattern.findall(path.read_text(encoding="utf-8")):
            found.append((json.loads(f'"{spec}"'), float(value), json.loads(f'"{expected}"')))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="an unpacked d3-format package (with src/)")
    parser.add_argument("--tests", type=Path, help="d3-format's test/ folder: also run its format assertions")
    parser.add_argument("--seed", type=int, default=25)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = [(s, v) for s, v in itertools.product(specifiers(rng), values(rng))]
    expected = run_d3(args.package, cases)
    differ = [(s, v, e, format_number(parse_format(s), v)) for (s, v), e in zip(cases, expected, strict=True)]
    differ = [d for d in differ if d[2] != d[3]]
    suite = suite_cases(args.tests) if args.tests else []
    failed = [(s, v, e, format_number(s, v)) for s, v, e in suite if format_number(s, v) != e]
    for spec, value, want, got in differ[:40] + failed[:40]:
        print(f"format({spec!r})({value!r}): d3 {want!r}, broadsheet {got!r}")
    print(f"{len(cases):,} formats compared with d3-format: {len(differ)} differ")
    if suite:
        print(f"{len(suite)} assertions of d3-format's test suite: {len(failed)} fail")
    return 1 if differ or failed else 0


if __name__ == "__main__":
    sys.exit(main())
