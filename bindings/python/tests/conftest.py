"""Fixtures: a ledger on every backend the tests cover, and unique names.

The `ledger` fixture runs each test on the in-memory store, on a fresh
SQLite file, and on PostgreSQL (DCMS_TEST_POSTGRES_URL). Without that
variable the PostgreSQL runs are skipped, or fail when
DCMS_REQUIRE_SERVERS=1 (the README's test command sets it). A PostgreSQL
database is shared between runs, so every test names its vendors, keys
and accounts with a fresh prefix (`uid`).
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from datetime import timedelta
from typing import Any, Callable, Iterator

import pytest

import dcms

BACKENDS = ["memory", "sqlite", "postgres"]
Uid = Callable[[str], str]


def server_url(var: str) -> str:
    """The URL of a test server, or skip (fail when servers are required)."""
    url = os.environ.get(var)
    if url:
        return url
    if os.environ.get("DCMS_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{var} is not set and DCMS_REQUIRE_SERVERS=1")
    pytest.skip(f"{var} is not set")


def open_backend(backend: str, tmp_path: Path, **kwargs: object) -> dcms.Ledger:
    """Opens a ledger on `backend` (a fresh one, except the shared server)."""
    if backend == "memory":
        return dcms.open(**kwargs)  # type: ignore[arg-type]
    if backend == "sqlite":
        return dcms.open(tmp_path / "ledger.db", **kwargs)  # type: ignore[arg-type]
    return dcms.open(server_url("DCMS_TEST_POSTGRES_URL"), **kwargs)  # type: ignore[arg-type]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def ledger(backend: str, tmp_path: Path) -> dcms.Ledger:
    return open_backend(backend, tmp_path)


@pytest.fixture
def uid() -> Callable[[str], str]:
    """`uid("shop")` -> a name unique to this test run, 32 characters at most."""
    prefix = uuid.uuid4().hex[:10]
    return lambda name: f"{prefix}-{name}"


@pytest.fixture
def shop(ledger: dcms.Ledger, uid: Callable[[str], str]) -> dcms.Vendor:
    return ledger.create_vendor(uid("shop"), "Corner Shop", "USD", "America/New_York")


@pytest.fixture
def account(ledger: dcms.Ledger, uid: Callable[[str], str]) -> str:
    return ledger.open_account(uid("alice")).id


@pytest.fixture
def funded(
    ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Callable[[str], str]
) -> Iterator[str]:
    """An account holding 99 points from one sale (total 0.01, tendered 1.00)."""
    ledger.credit_change(uid("fund"), shop.id, account, Decimal("0.01"), Decimal("1.00"))
    yield account


def aware(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


def sample_month(backend: str, tmp_path: Path, uid: Uid) -> tuple[dcms.Ledger, str, str, list[dict[str, Any]]]:
    """Three sales and a redemption in March 2025, one sale on 1 April."""
    clock = dcms.ManualClock(aware(2025, 3, 3, 10))
    ledger = open_backend(backend, tmp_path, clock=clock)
    shop = ledger.create_vendor(uid("shop"), "Shop", "USD", "America/New_York").id
    acct = ledger.open_account(uid("a")).id
    ledger.credit_change(uid("r1"), shop, acct, Decimal("6.63"), Decimal("10.00"), receipt_no="1")
    ledger.credit_change(uid("r2"), shop, acct, Decimal("1.50"), Decimal("2.00"), receipt_no="2")
    clock.advance(timedelta(days=1))
    ledger.credit_change(uid("r3"), shop, acct, Decimal("0.01"), Decimal("1.00"), receipt_no="3")
    ledger.redeem(uid("spend"), shop, acct, 100)
    clock.set(aware(2025, 3, 31, 23))  # 1 April in Tokyo, still March in UTC
    ledger.credit_change(uid("r4"), shop, acct, Decimal("0.90"), Decimal("1.00"))
    clock.set(aware(2025, 4, 1, 12))
    ledger.credit_change(uid("r5"), shop, acct, Decimal("0.90"), Decimal("1.00"))
    rows = [r for r in ledger.journal_rows("2025-03") if r["vendor"] == shop]
    return ledger, shop, acct, rows
