"""Money crosses as exact Decimals: never a float, never a rounding."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest

import dcms

Uid = Callable[[str], str]


@pytest.fixture
def mem() -> dcms.Ledger:
    return dcms.open()


def test_float_is_a_type_error(mem: dcms.Ledger) -> None:
    shop = mem.create_vendor("shop", "Shop", "USD", "UTC")
    acct = mem.open_account("a").id
    with pytest.raises(TypeError, match="money is never a float"):
        mem.credit_change("k", shop.id, acct, 6.63, Decimal("10.00"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="never a float"):
        mem.quote_change(shop.id, Decimal("6.63"), 10.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="never a float"):
        dcms.CreditChange("k", shop.id, acct, Decimal("1"), 2.5)  # type: ignore[arg-type]
    # Nothing was written.
    assert mem.balance(acct, "USD").available == 0


@pytest.mark.parametrize("bad", ["6.63", b"6.63", None, True, [1]])
def test_other_types_are_refused(mem: dcms.Ledger, bad: Any) -> None:
    shop = mem.create_vendor("shop", "Shop", "USD", "UTC")
    with pytest.raises(TypeError, match="decimal.Decimal"):
        mem.quote_change(shop.id, bad, Decimal("10"))


def test_ints_are_whole_amounts(mem: dcms.Ledger) -> None:
    shop = mem.create_vendor("shop", "Shop", "USD", "UTC")
    q = mem.quote_change(shop.id, 6, 10)
    assert q.total == Decimal("6.00") and str(q.hand_back) == "4.00"


@pytest.mark.parametrize(
    ("currency", "total", "tendered", "hand_back", "credit"),
    [
        ("USD", "6.63", "10.00", "3.00", "0.37"),
        ("EUR", "2.63", "10", "5.00", "2.37"),
        ("JPY", "6630", "10000", "3000", "370"),
        ("KWD", "1.125", "5", "3.750", "0.125"),
        ("CAD", "6.62", "10.00", "0.00", "3.40"),  # cash total rounds to 6.60
        ("USD", "0.1", "0.3", "0.00", "0.20"),  # what floats get wrong
    ],
)
def test_exact_quotes(
    mem: dcms.Ledger, currency: str, total: str, tendered: str, hand_back: str, credit: str
) -> None:
    shop = mem.create_vendor(f"shop-{currency}", "Shop", currency, "UTC")
    q = mem.quote_change(shop.id, Decimal(total), Decimal(tendered))
    # Equal and with the currency's own scale (str keeps trailing zeros).
    assert str(q.hand_back) == hand_back and str(q.credit) == credit
    assert q.tendered - q.cash_total == q.change
    assert q.hand_back + q.credit == q.change


def test_more_decimals_than_the_currency_is_refused(mem: dcms.Ledger) -> None:
    shop = mem.create_vendor("shop", "Shop", "USD", "UTC")
    with pytest.raises(dcms.InvalidAmountError) as e:
        mem.quote_change(shop.id, Decimal("6.635"), Decimal("10"))
    assert e.value.code == "invalid_amount"
    # Trailing zeros are not extra precision.
    assert mem.quote_change(shop.id, Decimal("6.6300"), Decimal("1E+1")).credit == Decimal("0.37")


@pytest.mark.parametrize("weird", ["NaN", "Infinity", "-Infinity", "sNaN", "1E+40"])
def test_non_finite_or_huge_decimals(mem: dcms.Ledger, weird: str) -> None:
    shop = mem.create_vendor("shop", "Shop", "USD", "UTC")
    with pytest.raises(dcms.InvalidAmountError):
        mem.quote_change(shop.id, Decimal("1"), Decimal(weird))


def test_negative_total_is_refused(mem: dcms.Ledger) -> None:
    shop = mem.create_vendor("shop", "Shop", "USD", "UTC")
    with pytest.raises(dcms.InvalidAmountError):
        mem.quote_change(shop.id, Decimal("-1.00"), Decimal("10"))


def test_many_credits_add_up_exactly(mem: dcms.Ledger) -> None:
    shop = mem.create_vendor("shop", "Shop", "USD", "UTC")
    acct = mem.open_account("a").id
    credited = Decimal(0)
    for i in range(1, 300):
        total = Decimal(i) / 100  # 0.01 .. 2.99
        sale = mem.credit_change(f"r{i}", shop.id, acct, total, Decimal("3.00"))
        credited += sale.quote.credit
    # Every sale's coin part is (3.00 - total) mod 1.00, exactly.
    want = sum(((Decimal("3.00") - Decimal(i) / 100) % 1 for i in range(1, 300)), Decimal(0))
    assert credited == want
    assert mem.balance(acct, "USD").available == int(want * 100)


def test_amounts_in_rows_are_decimals(mem: dcms.Ledger) -> None:
    shop = mem.create_vendor("shop", "Shop", "USD", "UTC")
    acct = mem.open_account("a").id
    sale = mem.credit_change("r", shop.id, acct, Decimal("6.63"), Decimal("10.00"))
    assert sale.tx is not None
    month = sale.tx.at.strftime("%Y-%m")
    rows = [r for r in mem.journal_rows(month) if r["key"] == "r"]
    assert len(rows) == 2
    assert all(type(r["total"]) is Decimal and str(r["credit"]) == "0.37" for r in rows)
