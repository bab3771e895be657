"""Records to pandas DataFrames for evaluators. The only module of the store path that imports pandas."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import pandas as pd

from .records import Record
from .schema import _plain_type


def records_frame(cls: type[Record], records: list[Record], labels: bool = False) -> pd.DataFrame:
    """One row per record, one column per field; dates as datetimes; choices as codes or labels."""
    columns = list(cls.model_fields)
    rows = []
    for record in records:
        row = {}
        for name in columns:
            value = getattr(record, name)
            if isinstance(value, Enum):
                value = getattr(value, "label", value.value) if labels else value.value
            row[name] = value
        rows.append(row)
    frame = pd.DataFrame(rows, columns=columns)
    for name, info in cls.model_fields.items():
        if _plain_type(info.annotation) is dt.date:
            frame[name] = pd.to_datetime(frame[name])
    return frame
