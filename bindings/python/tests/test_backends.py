"""Opening ledgers by URL or path; data survives a reopen."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest

import dcms
from conftest import server_url


def _roundtrip(url: object) -> None:
    first = dcms.open(url)  # type: ignore[arg-type]
    first.create_vendor("shop", "Shop", "USD", "UTC")
    acct = first.open_account("a").id
    first.credit_change("r1", "shop", acct, Decimal("6.63"), Decimal("10.00"))
    del first
    again = dcms.open(url)  # type: ignore[arg-type]
    assert again.balance(acct, "USD").available == 37
    assert again.open_account("a").id == acct
    assert again.verify().ok


def test_sqlite_path(tmp_path: Path) -> None:
    _roundtrip(str(tmp_path / "a.db"))
    assert (tmp_path / "a.db").exists()


def test_sqlite_pathlike(tmp_path: Path) -> None:
    _roundtrip(tmp_path / "b.db")


def test_sqlite_url(tmp_path: Path) -> None:
    _roundtrip(f"sqlite://{tmp_path}/c.db?mode=rwc")
    assert dcms.open(f"sqlite://{tmp_path}/c.db").backend == "sqlite"


def test_memory_is_fresh_each_time() -> None:
    assert dcms.open("memory:").vendors() == []
    assert dcms.open().backend == "memory"


def test_bad_urls(tmp_path: Path) -> None:
    with pytest.raises(dcms.DcmsError) as e:
        dcms.open("oracle://somewhere/db")
    assert e.value.code == "invalid_input"
    with pytest.raises(ValueError):
        dcms.open(str(tmp_path / "what?.db"))
    with pytest.raises(TypeError):
        dcms.open(42)  # type: ignore[arg-type]


def test_postgres_url() -> None:
    url = server_url("DCMS_TEST_POSTGRES_URL")
    ledger = dcms.open(url, max_connections=4)
    assert ledger.backend == "postgres"
    key = os.urandom(6).hex()
    shop = ledger.create_vendor(f"pg-{key}", "PG Shop", "EUR", "Europe/Berlin")
    acct = ledger.open_account(f"pg-{key}").id
    sale = ledger.credit_change(f"pg-{key}/1", shop.id, acct, Decimal("2.63"), Decimal("10"))
    assert sale.points == 237 and sale.quote.hand_back == Decimal("5.00")
    assert dcms.open(url).balance(acct)["EUR"].available == 237


def test_mysql_url() -> None:
    url = server_url("DCMS_TEST_MYSQL_URL")
    ledger = dcms.open(url)
    assert ledger.backend == "mysql"
    key = os.urandom(6).hex()
    shop = ledger.create_vendor(f"my-{key}", "My Shop", "USD", "UTC")
    acct = ledger.open_account(f"my-{key}").id
    ledger.credit_change(f"my-{key}/1", shop.id, acct, Decimal("6.63"), Decimal("10.00"))
    assert ledger.balance(acct, "USD").available == 37
