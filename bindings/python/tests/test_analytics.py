"""A month of the journal as rows, as CSV and as a DataFrame."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest

import dcms
from conftest import aware, sample_month

Uid = Callable[[str], str]


def test_journal_rows(backend: str, tmp_path: Path, uid: Uid) -> None:
    ledger, shop, acct, rows = sample_month(backend, tmp_path, uid)
    # One row per posting, oldest first: 5 transactions x 2 legs.
    assert len(rows) == 10
    assert [r["kind"] for r in rows[::2]] == ["change_credit"] * 3 + ["redemption", "change_credit"]
    assert [r["tx_id"] for r in rows] == sorted(r["tx_id"] for r in rows)
    first = rows[0]
    assert first["at"] == aware(2025, 3, 3, 10)
    assert first["receipt_no"] == "1" and first["currency"] == "USD"
    assert (first["total"], first["tendered"], first["hand_back"], first["credit"]) == (
        Decimal("6.63"),
        Decimal("10.00"),
        Decimal("3.00"),
        Decimal("0.37"),
    )
    customer_legs = [r for r in rows if r["account"] == f"customer:{acct}:USD"]
    assert [r["points"] for r in customer_legs] == [37, 50, 99, -100, 10]
    assert [r["balance_after"] for r in customer_legs] == [37, 87, 186, 86, 96]
    vendor_legs = [r for r in rows if r["account"] == f"vendor:{shop}:USD"]
    assert sum(r["points"] for r in vendor_legs) == -96
    assert all(r["balance_after"] is None for r in vendor_legs)
    redemption = next(r for r in rows if r["kind"] == "redemption")
    assert redemption["total"] is None and redemption["currency"] == "USD"
    # The same instants seen from Tokyo: the last March sale is April's.
    tokyo = [r for r in ledger.journal_rows("2025-03", time_zone="Asia/Tokyo") if r["vendor"] == shop]
    assert len(tokyo) == 8
    april = [r for r in ledger.journal_rows("2025-04") if r["vendor"] == shop]
    assert len(april) == 2


def test_csv_export(tmp_path: Path, uid: Uid) -> None:
    _, _, _, rows = sample_month("memory", tmp_path, uid)
    path = tmp_path / "march.csv"
    assert dcms.analytics.to_csv(rows, path) == 10
    with open(path, newline="") as f:
        read = list(csv.DictReader(f))
    assert len(read) == 10
    assert read[0]["total"] == "6.63" and read[0]["hand_back"] == "3.00"
    assert read[0]["at"] == "2025-03-03T10:00:00+00:00"
    assert read[0]["store_id"] == ""
    buf = io.StringIO()
    dcms.analytics.to_csv(rows, buf, columns=["tx_id", "account", "points"])
    assert buf.getvalue().splitlines()[0] == "tx_id,account,points"
    empty = io.StringIO()
    assert dcms.analytics.to_csv([], empty, columns=["a"]) == 0
    assert empty.getvalue() == "a\n"


def test_dataframe(tmp_path: Path, uid: Uid) -> None:
    pd = pytest.importorskip("pandas")
    _, shop, acct, rows = sample_month("memory", tmp_path, uid)
    df = dcms.analytics.to_dataframe(rows)
    assert isinstance(df, pd.DataFrame) and len(df) == 10
    assert str(df["at"].dt.tz) == "UTC"
    credits = df[(df["kind"] == "change_credit") & (df["account"] == f"customer:{acct}:USD")]
    assert credits["credit"].sum() == Decimal("1.96")  # exact Decimals, not floats
    per_day = credits.groupby(credits["at"].dt.date)["points"].sum()
    assert list(per_day) == [87, 99, 10]


def test_badsample_month(ledger: dcms.Ledger) -> None:
    with pytest.raises(dcms.DcmsError) as e:
        ledger.journal_rows("2025-13")
    assert e.value.code == "invalid_input"
