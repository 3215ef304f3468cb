"""A dataset as the pandas DataFrame a Python chart receives, typed by its schema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .data import Dataset


def make_frame(dataset: Dataset) -> Any:
    """A pandas DataFrame typed by the schema (integer and year -> Int64, number -> float64,
    date, datetime and yearmonth (its first day) -> datetime64, boolean -> boolean, time
    and the rest -> text, missing values -> NA).

    Made from the canonical cells the checks passed, not by parsing the file again, so the
    values a chart gets are exactly the values that passed the checks."""
    import pandas as pd

    frame = pd.DataFrame(list(dataset.rows), columns=list(dataset.columns), dtype=object)
    frame = frame.where(frame.notna(), float("nan"))
    for f in dataset.fields:
        if f.type in ("integer", "year"):  # exact, even past 2**53
            frame[f.name] = pd.array([int(c) if isinstance(c, str) else None for c in frame[f.name]], dtype="Int64")
        elif f.type == "number":
            frame[f.name] = pd.to_numeric(frame[f.name]).astype("float64")
        elif f.type == "date":
            frame[f.name] = pd.to_datetime(frame[f.name], format="%Y-%m-%d")
        elif f.type == "yearmonth":
            frame[f.name] = pd.to_datetime(frame[f.name], format="%Y-%m")
        elif f.type == "datetime":  # (UTC when the file gave an offset: see cells._datetime)
            frame[f.name] = pd.to_datetime(frame[f.name], format="ISO8601")
        elif f.type == "boolean":
            frame[f.name] = frame[f.name].map({"true": True, "false": False}).astype("boolean")
        else:  # text: pandas' string type, as read_csv gives (Altair writes its missing values as null, not NaN)
            frame[f.name] = frame[f.name].astype("str")
    return frame
