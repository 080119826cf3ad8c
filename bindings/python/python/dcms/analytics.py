"""Plain rows (lists of dicts) from the ledger, as CSV files or DataFrames.

The rows come from the ledger itself (``Ledger.journal_rows`` and the
statement methods); this module only writes them out. Money stays exact:
CSV cells hold the ``Decimal``'s own text, and DataFrame money columns hold
``Decimal`` objects (dtype ``object``), never floats.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, TextIO, Union

if TYPE_CHECKING:  # pragma: no cover
    import pandas  # type: ignore[import-untyped, import-not-found, unused-ignore]

__all__ = ["to_csv", "to_dataframe"]

PathOrFile = Union[str, "os.PathLike[str]", TextIO]


def _cell(value: Any) -> str:
    """One CSV cell: exact decimals, ISO 8601 times, empty for None."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def to_csv(
    rows: Iterable[Mapping[str, Any]],
    path: PathOrFile,
    columns: Sequence[str] | None = None,
) -> int:
    """Writes rows to a CSV file (a path or an open text file) with a header.

    ``columns`` chooses and orders the columns (default: the first row's
    keys). Returns the number of rows written.
    """
    rows = list(rows)
    header = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    if isinstance(path, (str, os.PathLike)):
        with open(path, "w", newline="", encoding="utf-8") as f:
            return _write(rows, header, f)
    return _write(rows, header, path)


def _write(rows: Sequence[Mapping[str, Any]], header: Sequence[str], f: TextIO) -> int:
    writer = csv.writer(f, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in header])
    return len(rows)


def to_dataframe(rows: Iterable[Mapping[str, Any]]) -> pandas.DataFrame:
    """The rows as a pandas ``DataFrame`` (needs pandas installed).

    Times become timezone-aware (UTC) datetime columns; money columns keep
    their exact ``Decimal`` values.
    """
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - exercised without pandas
        raise ImportError(
            "dcms.analytics.to_dataframe needs pandas: pip install pandas"
        ) from e
    return pd.DataFrame.from_records(list(rows))
