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
from typing import Callable, Iterator

import pytest

import dcms

BACKENDS = ["memory", "sqlite", "postgres"]


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
