"""Every exception class, its place in the hierarchy and its code."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Callable

import pytest

import dcms

Uid = Callable[[str], str]

SUBCLASSES = [
    dcms.InsufficientPointsError,
    dcms.UnknownAccountError,
    dcms.InvalidAmountError,
    dcms.LimitExceededError,
    dcms.IdempotencyConflictError,
    dcms.StorageUnavailableError,
]


def test_hierarchy() -> None:
    assert issubclass(dcms.DcmsError, Exception)
    for cls in SUBCLASSES:
        assert issubclass(cls, dcms.DcmsError)
        assert cls.__module__ == "dcms"
        assert cls.__doc__


def test_insufficient_points(ledger: dcms.Ledger, shop: dcms.Vendor, funded: str, uid: Uid) -> None:
    with pytest.raises(dcms.InsufficientPointsError) as e:
        ledger.redeem(uid("too-much"), shop.id, funded, 100)
    assert e.value.code == "insufficient_points" and e.value.retryable is False
    assert "insufficient USD points" in str(e.value) and "99 available, 100 requested" in str(e.value)
    assert (e.value.account, e.value.currency, e.value.available, e.value.requested) == (funded, "USD", 99, 100)
    bob = ledger.open_account(uid("bob")).id
    with pytest.raises(dcms.InsufficientPointsError):
        ledger.transfer(uid("t"), funded, bob, 1000, currency="USD")
    with pytest.raises(dcms.InsufficientPointsError):
        ledger.hold(uid("h"), shop.id, funded, 1000)
    assert ledger.balance(funded, "USD").available == 99


def test_unknown_account(ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Uid) -> None:
    # A well-formed id (valid check digit) that no account has.
    with pytest.raises(dcms.UnknownAccountError) as e:
        ledger.balance(_valid_unused_id(ledger, {account}))
    assert e.value.code == "unknown_account"
    # A typo fails its check digit: same class, its own code.
    typo = account[:-1] + str((int(account[-1]) + 1) % 10)
    with pytest.raises(dcms.UnknownAccountError) as e:
        ledger.credit_change(uid("r"), shop.id, typo, Decimal("1"), Decimal("2"))
    assert e.value.code == "invalid_account_id"
    with pytest.raises(TypeError, match="account id is a str"):
        ledger.balance(123456)  # type: ignore[call-overload]


def _valid_unused_id(ledger: dcms.Ledger, taken: set[str]) -> str:
    """An id with a valid check digit that no account has."""
    for payload in range(10000, 99999):
        for check in "0123456789":
            text = f"{payload}{check}"
            try:
                ledger.parse_account_id(text)
            except dcms.UnknownAccountError:
                continue
            if text not in taken:
                try:
                    ledger.account(text)
                except dcms.UnknownAccountError:
                    return text
    raise AssertionError("no free id")


def test_invalid_amount(ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Uid) -> None:
    with pytest.raises(dcms.InvalidAmountError) as e:
        ledger.credit_change(uid("r"), shop.id, account, Decimal("1.001"), Decimal("2"))
    assert e.value.code == "invalid_amount"
    with pytest.raises(dcms.InvalidAmountError) as e:
        ledger.credit_change(uid("r"), shop.id, account, Decimal("5.00"), Decimal("2.00"))
    assert e.value.code == "insufficient_cash"


def test_limit_exceeded(ledger: dcms.Ledger, account: str, uid: Uid) -> None:
    capped = ledger.create_vendor(uid("capped"), "Capped", "USD", "UTC", per_credit_cap=50, per_day_cap=80)
    with pytest.raises(dcms.LimitExceededError) as e:
        ledger.credit_change(uid("r1"), capped.id, account, Decimal("0.01"), Decimal("1.00"))
    assert e.value.code == "limit_exceeded" and "per-credit" in str(e.value)
    assert (e.value.limit, e.value.cap, e.value.requested, e.value.remaining) == ("per-credit", 50, 99, 50)
    ledger.credit_change(uid("r2"), capped.id, account, Decimal("0.60"), Decimal("1.00"))  # 40
    ledger.credit_change(uid("r3"), capped.id, account, Decimal("0.60"), Decimal("1.00"))  # 80
    with pytest.raises(dcms.LimitExceededError) as e:
        ledger.credit_change(uid("r4"), capped.id, account, Decimal("0.99"), Decimal("1.00"))
    assert "per-day" in str(e.value) and e.value.limit == "per-day" and e.value.remaining == 0
    assert ledger.balance(account, "USD").available == 80


def test_idempotency_conflict(ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Uid) -> None:
    ledger.credit_change(uid("r"), shop.id, account, Decimal("6.63"), Decimal("10.00"))
    with pytest.raises(dcms.IdempotencyConflictError) as e:
        ledger.credit_change(uid("r"), shop.id, account, Decimal("6.64"), Decimal("10.00"))
    assert e.value.code == "idempotency_conflict" and not e.value.retryable
    assert ledger.balance(account, "USD").available == 37


def test_storage_unavailable() -> None:
    # Nothing listens on port 1: the pool gives up after the timeout.
    with pytest.raises(dcms.StorageUnavailableError) as e:
        dcms.open(
            "postgres://nobody:x@127.0.0.1:1/none", acquire_timeout=timedelta(milliseconds=500)
        )
    assert e.value.code == "storage_unavailable" and e.value.retryable is True


def test_other_codes_are_plain_dcms_errors(ledger: dcms.Ledger, account: str, uid: Uid) -> None:
    cases = [
        (lambda: ledger.vendor(uid("ghost")), "unknown_vendor"),
        (lambda: ledger.transaction(10**15), "unknown_transaction"),
        (lambda: ledger.create_vendor(uid("v"), "V", "XXX", "UTC"), "unknown_currency"),
        (lambda: ledger.create_vendor(uid("v"), "V", "USD", "Mars/Base"), "invalid_input"),
        (lambda: ledger.create_vendor(uid("v"), "V", "USD", "UTC", policy="some"), "invalid_input"),  # type: ignore[arg-type]
        (lambda: ledger.adjust(uid("a"), account, 0, "zero", currency="USD"), "invalid_input"),
        (lambda: ledger.adjust(uid("a"), account, 5, "x", currency="ZZZ"), "unknown_currency"),
        (lambda: ledger.balance(account, "usdollar"), "unknown_currency"),
        (lambda: ledger.vendor("no/slash"), "invalid_input"),
    ]
    for call, code in cases:
        with pytest.raises(dcms.DcmsError) as e:
            call()
        assert type(e.value) is dcms.DcmsError, code
        assert e.value.code == code


def test_duplicate_vendor(ledger: dcms.Ledger, shop: dcms.Vendor) -> None:
    with pytest.raises(dcms.DcmsError) as e:
        ledger.create_vendor(shop.id, "Another name", "USD", "America/New_York")
    assert e.value.code == "duplicate_vendor"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(TypeError, match="timezone-aware"):
        dcms.ManualClock(datetime(2026, 3, 1))
    with pytest.raises(TypeError, match="datetime"):
        dcms.ManualClock("2026-03-01")  # type: ignore[arg-type]


def test_memory_store_refuses_sql_options() -> None:
    with pytest.raises(ValueError, match="SQL stores"):
        dcms.open(max_connections=4)


def test_batch_error_carries_its_index(ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Uid) -> None:
    reqs = [
        dcms.CreditChange(uid("b0"), shop.id, account, Decimal("0.50"), Decimal("1.00")),
        dcms.CreditChange(uid("b1"), shop.id, account, Decimal("5.00"), Decimal("1.00")),
        dcms.CreditChange(uid("b2"), shop.id, account, Decimal("0.50"), Decimal("1.00")),
    ]
    with pytest.raises(dcms.InvalidAmountError) as e:
        ledger.credit_change_many(reqs)
    assert e.value.index == 1 and e.value.code == "insufficient_cash"
    assert ledger.balance(account, "USD").available == 50
