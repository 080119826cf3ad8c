"""Statements as objects and rows, and month close into a local directory."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

import dcms
from conftest import aware, sample_month

Uid = Callable[[str], str]


def test_vendor_statement(backend: str, tmp_path: Path, uid: Uid) -> None:
    ledger, shop, _, _ = sample_month(backend, tmp_path, uid)
    st = ledger.vendor_statement(shop, "2025-03")
    assert (st.kind, st.owner, st.name, st.currency, st.month, st.time_zone) == (
        "vendor",
        shop,
        "Shop",
        "USD",
        "2025-03",
        "America/New_York",
    )
    assert st.from_ == aware(2025, 3, 1, 5) and st.to == aware(2025, 4, 1, 4)
    # What the vendor owes: 196 points issued, 100 redeemed.
    assert (st.opening, st.closing) == (0, 96)
    assert st.totals == [
        {"kind": "change_credit", "count": 4, "points": 196},
        {"kind": "redemption", "count": 1, "points": -100},
    ]
    assert [(d["date"], d["net"]) for d in st.days] == [
        (date(2025, 3, 3), 87),
        (date(2025, 3, 4), -1),
        (date(2025, 3, 31), 10),
    ]
    assert st.day_rows()[0] == {"date": date(2025, 3, 3), "kind": "change_credit", "count": 2, "points": 87}
    settlement = st.settlement
    assert settlement is not None
    assert settlement["amount"] == Decimal("0.96") and str(settlement["amount"]) == "0.96"
    assert (settlement["points"], settlement["currency"], settlement["remainder_points"]) == (96, "USD", 0)
    assert st.to_dict()["closing"] == 96
    april = ledger.vendor_statement(shop, "2025-04")
    assert (april.opening, april.closing) == (96, 106)


def test_statement_rows_csv_and_dataframe(tmp_path: Path, uid: Uid) -> None:
    ledger, shop, _, _ = sample_month("memory", tmp_path, uid)
    st = ledger.vendor_statement(shop, "2025-03")
    rows = ledger.statement_rows(st)
    assert [r["points"] for r in rows] == [37, 50, 99, -100, 10]
    assert [r["kind"] for r in rows] == ["change_credit"] * 3 + ["redemption", "change_credit"]
    assert rows[0]["time"] == "2025-03-03T05:00:00-05:00" and rows[0]["receipt_no"] == "1"
    buf = io.StringIO()
    assert dcms.analytics.to_csv(rows, buf) == 5
    read = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert read[3]["points"] == "-100" and read[3]["memo"] == ""
    pd = pytest.importorskip("pandas")
    df = dcms.analytics.to_dataframe(rows)
    assert isinstance(df, pd.DataFrame) and int(df["points"].sum()) == 96


def test_customer_statement(backend: str, tmp_path: Path, uid: Uid) -> None:
    ledger, _, acct, _ = sample_month(backend, tmp_path, uid)
    st = ledger.customer_statement(acct, "2025-03", "USD")
    assert (st.kind, st.owner, st.currency, st.time_zone, st.opening, st.closing) == (
        "customer",
        acct,
        "USD",
        "UTC",
        0,
        96,
    )
    assert st.settlement is None and st.to_dict()["currency"] == "USD"
    rows = ledger.statement_rows(st)
    assert [r["points"] for r in rows] == [37, 50, 99, -100, 10]
    assert {r["currency"] for r in rows} == {"USD"}
    tokyo = ledger.customer_statement(acct, "2025-03", "USD", time_zone="Asia/Tokyo")
    assert tokyo.closing == 86  # the 31 March sale is April's in Tokyo
    # Without a currency: one statement per currency held (one here).
    [only] = ledger.customer_statement(acct, "2025-03")
    assert (only.currency, only.closing) == ("USD", 96)
    # A currency never held: an empty statement of that currency.
    eur = ledger.customer_statement(acct, "2025-03", "EUR")
    assert (eur.currency, eur.opening, eur.closing, eur.totals) == ("EUR", 0, 0, [])


def test_close_month(backend: str, tmp_path: Path, uid: Uid) -> None:
    ledger, shop, _, _ = sample_month(backend, tmp_path, uid)
    objects = dcms.LocalDirStore(tmp_path / "objects")
    report = ledger.close_month("2025-03", objects, vendors=[shop])
    assert report.failed == []
    [done] = report.closed
    assert (done.vendor, done.outcome, done.lines) == (shop, "issued", 5)
    assert done.objects == [f"statements/{shop}/2025-03.{ext}" for ext in ("csv", "json", "pdf")]
    document = objects.get(done.objects[0]).decode()
    assert document.startswith("record,date,time,tx,kind")
    assert "settlement,,,,USD,,,,,96,0.96" in document
    assert objects.get(done.objects[2]).startswith(b"%PDF")
    assert f"statements/{shop}/2025-03.csv" in objects.list(f"statements/{shop}/")
    # Idempotent: the same month again stores and sends nothing new.
    again = ledger.close_month("2025-03", objects, vendors=[shop])
    assert again.closed[0].outcome == "unchanged" and again.closed[0].digest == done.digest


def test_close_month_reports_failed_vendors(ledger: dcms.Ledger, tmp_path: Path, uid: Uid) -> None:
    objects = dcms.LocalDirStore(tmp_path / "objects")
    report = ledger.close_month("2025-03", objects, vendors=[uid("ghost")])
    assert report.closed == []
    [(vendor, error)] = report.failed
    assert vendor == uid("ghost") and isinstance(error, dcms.DcmsError) and error.code == "unknown_vendor"
    with pytest.raises(dcms.DcmsError) as e:
        objects.get("statements/none.csv")
    assert e.value.code == "object_not_found"
