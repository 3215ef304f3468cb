"""Run by bench/datapackages.py under a Python that has frictionless-py (never the
project's venv): print, as JSON, every resource's rows as frictionless-py reads them,
each value in Broadsheet's canonical text, and the descriptor as frictionless-py sees it
(with the schemas it infers for resources that give none).

    FRICTIONLESS_PYTHON bench/frictionless_rows.py PATH/TO/datapackage.json
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from typing import Any


def canonical(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, tuple) and hasattr(value, "month"):  # yearmonth
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, tuple) and len(value) == 2:  # geopoint
        return f"{value[0]}, {value[1]}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def main(path: str) -> None:
    import frictionless

    out: dict[str, Any] = {"resources": {}, "descriptor": None, "error": None}
    try:
        if path.endswith(".yml"):  # (frictionless-py reads .yml as JSON)
            import os

            import yaml

            with open(path, encoding="utf-8") as file:
                package = frictionless.Package(yaml.safe_load(file), basepath=os.path.dirname(os.path.abspath(path)))
        else:
            package = frictionless.Package(path)
        for resource in package.resources:  # (one that cannot be inferred is reported with its rows)
            try:
                resource.infer()
            except Exception:  # noqa: BLE001, S112
                continue
        out["descriptor"] = package.to_descriptor()
    except Exception as exc:  # noqa: BLE001 (any failure is a result to report)
        out["error"] = f"{type(exc).__name__}: {exc}"
        print(json.dumps(out))
        return
    for resource in package.resources:
        if not getattr(resource, "tabular", True):  # (an image, a map: not a table to compare)
            continue
        entry: dict[str, Any] = {"rows": None, "error": None}
        try:
            with resource:
                rows = [[canonical(row[name]) for name in resource.schema.field_names] for row in resource.row_stream]
            entry["rows"] = rows
            report = resource.validate()
            if not report.valid:
                first = report.flatten(["rowNumber", "fieldName", "type", "note"])[:1]
                entry["error"] = f"invalid: {first}"
        except Exception as exc:  # noqa: BLE001
            entry["error"] = f"{type(exc).__name__}: {exc}"
        out["resources"][resource.name] = entry
    print(json.dumps(out, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
