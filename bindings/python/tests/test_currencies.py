"""Points carry their currency (issue 12): balances per currency, spends in
the vendor's currency, transfers that name theirs, rates and limits per
currency, on every backend."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

import dcms
from conftest import aware, open_backend

Uid = Callable[[str], str]


def two_shops(ledger: dcms.Ledger, uid: Uid) -> tuple[str, str]:
    """A Tokyo (JPY) and a New York (USD) vendor."""
    tokyo = ledger.create_vendor(uid("tokyo"), "Konbini", "JPY", "Asia/Tokyo").id
    nyc = ledger.create_vendor(uid("nyc"), "Corner Shop", "USD", "America/New_York").id
    return tokyo, nyc


def test_yen_points_do_not_pay_in_dollars(backend: str, tmp_path: Path, uid: Uid) -> None:
    # The snippet: 370 JPY of change must not become 3.70 USD.
    ledger = open_backend(backend, tmp_path, clock=dcms.ManualClock(aware(2026, 12, 2)))
    tokyo, nyc = two_shops(ledger, uid)
    a = ledger.open_account(uid("a"))
    sale = ledger.credit_change(uid("t1"), tokyo, a.id, Decimal(1630), Decimal(5000))
    assert sale.points == 370 and sale.tx is not None and sale.tx.currency == "JPY"
    with pytest.raises(dcms.InsufficientPointsError) as e:
        ledger.redeem(uid("n1"), nyc, a.id, 370)
    assert (e.value.currency, e.value.available, e.value.requested) == ("USD", 0, 370)
    assert "insufficient USD points" in str(e.value)
    assert "holds no points in this currency" in str(e.value)
    with pytest.raises(dcms.InsufficientPointsError) as e:
        ledger.hold(uid("n2"), nyc, a.id, 1)
    assert e.value.currency == "USD"
    settlement = ledger.vendor_statement(nyc, "2026-12").settlement
    assert settlement is not None
    assert (settlement["points"], settlement["amount"], settlement["currency"]) == (0, Decimal("0.00"), "USD")
    assert ledger.vendor_liability(nyc) == 0 and ledger.vendor_liability(tokyo) == 370
    assert ledger.balance(a.id) == {"JPY": ledger.balance(a.id, "JPY")}
    assert ledger.balance(a.id, "JPY").available == 370
    # Spent where they were earned, the yen points pay.
    assert ledger.redeem(uid("t2"), tokyo, a.id, 300).tx.currency == "JPY"
    assert ledger.balance(a.id, "JPY").available == 70
    assert ledger.verify().ok


def test_one_balance_per_currency(backend: str, tmp_path: Path, uid: Uid) -> None:
    ledger = open_backend(backend, tmp_path, clock=dcms.ManualClock(aware(2026, 5, 4)))
    tokyo, nyc = two_shops(ledger, uid)
    a = ledger.open_account(uid("a")).id
    ledger.credit_change(uid("t1"), tokyo, a, Decimal(1630), Decimal(5000))  # 370 JPY
    ledger.credit_change(uid("n1"), nyc, a, Decimal("6.63"), Decimal("10.00"))  # 37 USD
    ledger.hold(uid("h"), nyc, a, 20)
    balances = ledger.balance(a)
    assert sorted(balances) == ["JPY", "USD"]
    assert (balances["JPY"].available, balances["JPY"].held) == (370, 0)
    assert (balances["USD"].available, balances["USD"].held) == (17, 20)
    assert repr(balances["JPY"]) == "Balance(available=370, held=0)"
    # History: every currency, or one; each transaction names its own.
    everything = [t for page in ledger.history(a) for t in page]
    assert [t.currency for t in everything] == ["USD", "USD", "JPY"]
    yen = [t for page in ledger.history(a, currency="JPY") for t in page]
    assert [(t.kind, t.currency) for t in yen] == [("change_credit", "JPY")]
    assert yen[0].balances_after == {a: 370}
    assert yen[0].postings[0].account.endswith(":JPY")
    assert yen[0].to_dict()["currency"] == "JPY"
    # Statements: one section per currency, or the one asked for.
    sections = ledger.customer_statement(a, "2026-05")
    assert [(s.currency, s.closing) for s in sections] == [("JPY", 370), ("USD", 17)]
    assert ledger.customer_statement(a, "2026-05", "JPY").closing == 370
    rows = ledger.journal_rows("2026-05")
    assert {r["currency"] for r in rows if r["account"] == f"customer:{a}:JPY"} == {"JPY"}


def test_transfers_name_their_currency(ledger: dcms.Ledger, uid: Uid) -> None:
    tokyo, _ = two_shops(ledger, uid)
    a = ledger.open_account(uid("a")).id
    b = ledger.open_account(uid("b")).id
    ledger.credit_change(uid("t1"), tokyo, a, Decimal(1630), Decimal(5000))
    with pytest.raises(dcms.InsufficientPointsError) as e:
        ledger.transfer(uid("x1"), a, b, 100, currency="USD")
    assert e.value.currency == "USD" and e.value.available == 0
    t = ledger.transfer(uid("x2"), a, b, 100, currency="JPY")
    assert t.tx.currency == "JPY" and t.tx.balances_after == {a: 270, b: 100}
    assert ledger.balance(b) == {"JPY": ledger.balance(b, "JPY")}
    with pytest.raises(dcms.DcmsError) as d:
        ledger.transfer(uid("x3"), a, b, 1, currency="ABC")
    assert d.value.code == "unknown_currency"
    with pytest.raises(TypeError):
        ledger.transfer(uid("x4"), a, b, 1)  # type: ignore[call-arg]


def test_transfer_limits(backend: str, tmp_path: Path, uid: Uid) -> None:
    # 14:00 UTC is 23:00 in Tokyo, the program's zone: its day ends in an hour.
    clock = dcms.ManualClock(aware(2026, 3, 10, 14))
    ledger = open_backend(
        backend,
        tmp_path,
        clock=clock,
        time_zone="Asia/Tokyo",
        transfer_limits={"USD": {"per_transfer": 50, "per_day": 80}},
    )
    assert ledger.time_zone == "Asia/Tokyo"
    a = ledger.open_account(uid("a")).id
    b = ledger.open_account(uid("b")).id
    ledger.adjust(uid("seed"), a, 1000, "seed", currency="USD")
    ledger.adjust(uid("seed-jpy"), a, 1000, "seed", currency="JPY")
    with pytest.raises(dcms.LimitExceededError) as e:
        ledger.transfer(uid("t1"), a, b, 60, currency="USD")
    assert (e.value.limit, e.value.cap, e.value.requested) == ("per-transfer", 50, 60)
    ledger.transfer(uid("t2"), a, b, 50, currency="USD")
    with pytest.raises(dcms.LimitExceededError) as e:
        ledger.transfer(uid("t3"), a, b, 40, currency="USD")
    assert (e.value.limit, e.value.cap, e.value.remaining) == ("per-day transfer", 80, 30)
    assert "per-day transfer limit" in str(e.value)
    ledger.transfer(uid("t4"), a, b, 30, currency="USD")
    # Another currency has its own limits (none here).
    ledger.transfer(uid("t5"), a, b, 900, currency="JPY")
    # Two hours later it is the next day in Tokyo (still the same day in UTC).
    clock.advance(timedelta(hours=2))
    ledger.transfer(uid("t6"), a, b, 50, currency="USD")
    assert ledger.balance(b, "USD").available == 130
    assert ledger.verify().ok


def test_open_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="per_transfer"):
        dcms.open(transfer_limits={"USD": {"per_transfr": 5}})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(dcms.DcmsError) as e:
        dcms.open(transfer_limits={"USD": {"per_day": 0}})
    assert e.value.code == "invalid_input"
    with pytest.raises(dcms.DcmsError) as e:
        dcms.open(points_per_minor={"ZZZ": 10})
    assert e.value.code == "unknown_currency"
    with pytest.raises(TypeError, match="points_per_minor"):
        dcms.open(points_per_minor="10")  # type: ignore[arg-type]
    with pytest.raises(dcms.DcmsError) as e:
        dcms.open(expiry_months=0)
    assert e.value.code == "invalid_input"
    with pytest.raises(dcms.DcmsError) as e:
        dcms.open(time_zone="Mars/Base")
    assert e.value.code == "invalid_input"


@pytest.mark.parametrize(
    ("rates", "usd", "jpy"),
    [(10, 370, 3700), ({"USD": 10}, 370, 370), ({"JPY": 2, "USD": 1}, 37, 740)],
)
def test_points_per_minor_per_currency(rates: object, usd: int, jpy: int) -> None:
    ledger = dcms.open(points_per_minor=rates)  # type: ignore[arg-type]
    ledger.create_vendor("nyc", "NYC", "USD", "UTC")
    ledger.create_vendor("tokyo", "Tokyo", "JPY", "Asia/Tokyo")
    a = ledger.open_account("a").id
    assert ledger.credit_change("n", "nyc", a, Decimal("6.63"), Decimal("10.00")).points == usd
    assert ledger.credit_change("t", "tokyo", a, Decimal(1630), Decimal(5000)).points == jpy
    assert (ledger.points_per_minor_in("USD"), ledger.points_per_minor_in("JPY")) == (usd // 37, jpy // 370)
    assert ledger.points_per_minor_in("EUR") == (10 if rates == 10 else 1)
