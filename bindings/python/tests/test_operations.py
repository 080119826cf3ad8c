"""Every ledger operation through the binding, on every backend."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Callable

import pytest

import dcms
from conftest import aware, open_backend

Uid = Callable[[str], str]


def test_open_account_is_idempotent(ledger: dcms.Ledger, uid: Uid) -> None:
    a = ledger.open_account(uid("bob"))
    assert a.id.isdigit() and len(a.id) == 6
    assert ledger.open_account(uid("bob")) == a
    assert ledger.account(a.id) == a
    assert a.opened_at.tzinfo is not None
    assert ledger.parse_account_id(f" {a.id} ") == a.id
    assert ledger.balance(a.id) == {}
    assert ledger.balance(a.id, "USD") == ledger.balance(a.id, "JPY")
    assert ledger.balance(a.id, "USD").available == 0


def test_vendors(ledger: dcms.Ledger, uid: Uid) -> None:
    v = ledger.create_vendor(
        uid("v"), "Bakery", "EUR", "Europe/Paris", policy="all_change", per_credit_cap=500
    )
    assert (v.id, v.name, v.currency, v.time_zone, v.policy) == (
        uid("v"),
        "Bakery",
        "EUR",
        "Europe/Paris",
        "all_change",
    )
    assert v.per_credit_cap == 500 and v.per_day_cap is None
    # Same settings again: a safe retry.
    assert ledger.create_vendor(
        uid("v"), "Bakery", "EUR", "Europe/Paris", policy="all_change", per_credit_cap=500
    ) == v
    updated = ledger.update_vendor(uid("v"), "Bakery & Co", "EUR", "Europe/Paris", per_day_cap=900)
    assert updated.name == "Bakery & Co" and updated.policy == "coin_part"
    assert updated.per_day_cap == 900 and updated.per_credit_cap is None
    assert ledger.vendor(uid("v")) == updated
    assert uid("v") in [x.id for x in ledger.vendors()]
    assert "Bakery & Co" in repr(updated)


def test_quote_change_writes_nothing(ledger: dcms.Ledger, shop: dcms.Vendor, account: str) -> None:
    q = ledger.quote_change(shop.id, Decimal("6.63"), Decimal("10.00"))
    assert q.currency == "USD"
    assert (q.total, q.cash_total, q.tendered) == (Decimal("6.63"), Decimal("6.63"), Decimal("10.00"))
    assert (q.change, q.coin_part, q.hand_back, q.credit) == (
        Decimal("3.37"),
        Decimal("0.37"),
        Decimal("3.00"),
        Decimal("0.37"),
    )
    assert q.to_dict()["hand_back"] == Decimal("3.00")
    assert ledger.vendor_liability(shop.id) == 0
    assert ledger.balance(account, "USD").available == 0


def test_credit_change_and_replay(
    ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Uid
) -> None:
    sale = ledger.credit_change(
        uid("r1"), shop.id, account, Decimal("6.63"), Decimal("10.00"), store_id="s1", receipt_no="1001"
    )
    assert sale.points == 37 and not sale.replayed
    assert sale.quote.hand_back == Decimal("3.00")
    tx = sale.tx
    assert tx is not None
    assert tx.kind == "change_credit" and tx.vendor == shop.id
    assert (tx.store_id, tx.terminal_id, tx.receipt_no) == ("s1", None, "1001")
    assert tx.points_for(f"customer:{account}:USD") == 37
    assert tx.points_for(f"vendor:{shop.id}:USD") == -37
    assert tx.points_for(f"customer:{account}:JPY") == 0
    assert tx.points_for("program:holds:USD") == 0
    assert tx.currency == "USD" and {p.currency for p in tx.postings} == {"USD"}
    with pytest.raises(dcms.DcmsError) as e:
        tx.points_for("nowhere")
    assert e.value.code == "invalid_input"
    assert sum(p.points for p in tx.postings) == 0
    assert tx.balances_after == {account: 37}
    assert tx.cash is not None and tx.cash.credit == Decimal("0.37")
    assert tx.at.tzinfo is not None
    again = ledger.credit_change(
        uid("r1"), shop.id, account, Decimal("6.63"), Decimal("10.00"), store_id="s1", receipt_no="1001"
    )
    assert again.replayed and again.tx == tx
    assert ledger.balance(account) == {"USD": ledger.balance(account, "USD")}
    assert ledger.balance(account)["USD"].available == 37
    assert ledger.vendor_liability(shop.id) == 37
    assert ledger.transaction(tx.id) == tx
    d = tx.to_dict()
    assert d["tx_id"] == tx.id and d["total"] == Decimal("6.63") and len(d["postings"]) == 2


def test_credit_nothing_to_credit(ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Uid) -> None:
    exact = ledger.credit_change(uid("exact"), shop.id, account, Decimal("5.00"), Decimal("5.00"))
    assert exact.points == 0 and exact.tx is None
    assert exact.quote.hand_back == Decimal("0.00")


def test_redeem(ledger: dcms.Ledger, shop: dcms.Vendor, funded: str, uid: Uid) -> None:
    r = ledger.redeem(uid("spend"), shop.id, funded, 40, terminal_id="till-2")
    assert r.tx.kind == "redemption" and not r.replayed
    assert r.tx.terminal_id == "till-2"
    assert ledger.balance(funded, "USD").available == 59
    assert ledger.vendor_liability(shop.id) == 59
    assert ledger.redeem(uid("spend"), shop.id, funded, 40, terminal_id="till-2").replayed


def test_two_phase_capture(ledger: dcms.Ledger, shop: dcms.Vendor, funded: str, uid: Uid) -> None:
    h = ledger.hold(uid("h"), shop.id, funded, 50, ttl=timedelta(minutes=5))
    assert h.tx.kind == "hold" and h.tx.expires_at is not None
    b = ledger.balance(funded, "USD")
    assert (b.available, b.held) == (49, 50)
    c = ledger.capture(uid("c"), h.tx.id, 30)
    assert c.tx.kind == "hold_capture" and c.tx.closes == h.tx.id
    b = ledger.balance(funded, "USD")
    assert (b.available, b.held) == (69, 0)
    assert ledger.vendor_liability(shop.id) == 69


def test_two_phase_void(ledger: dcms.Ledger, shop: dcms.Vendor, funded: str, uid: Uid) -> None:
    h = ledger.hold(uid("h"), shop.id, funded, 50)
    v = ledger.void_hold(uid("v"), h.tx.id)
    assert v.tx.kind == "hold_void"
    assert ledger.balance(funded, "USD").available == 99
    with pytest.raises(dcms.DcmsError) as e:
        ledger.capture(uid("late"), h.tx.id)
    assert e.value.code == "hold_not_open"


def test_expired_holds_are_released(backend: str, tmp_path, uid: Uid) -> None:  # type: ignore[no-untyped-def]
    clock = dcms.ManualClock(aware(2026, 3, 10))
    ledger = open_backend(backend, tmp_path, clock=clock, hold_ttl=timedelta(minutes=1))
    shop = ledger.create_vendor(uid("shop"), "Shop", "USD", "UTC")
    acct = ledger.open_account(uid("a")).id
    ledger.credit_change(uid("fund"), shop.id, acct, Decimal("0.01"), Decimal("1.00"))
    ledger.hold(uid("h"), shop.id, acct, 60)
    assert ledger.balance(acct, "USD").held == 60
    clock.advance(timedelta(minutes=2))
    assert clock.now() == aware(2026, 3, 10) + timedelta(minutes=2)
    # An expired hold frees its points at once, before its release is written.
    b = ledger.balance(acct, "USD")
    assert (b.available, b.held) == (99, 0)
    assert ledger.release_expired_holds() >= 1
    b = ledger.balance(acct, "USD")
    assert (b.available, b.held) == (99, 0)


def test_transfer(ledger: dcms.Ledger, funded: str, uid: Uid) -> None:
    bob = ledger.open_account(uid("bob")).id
    t = ledger.transfer(uid("t"), funded, bob, 9, currency="USD")
    assert t.tx.kind == "transfer" and t.tx.currency == "USD"
    assert t.tx.balances_after == {funded: 90, bob: 9}
    assert ledger.balance(bob, "USD").available == 9


def test_reverse(ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Uid) -> None:
    sale = ledger.credit_change(uid("r"), shop.id, account, Decimal("0.50"), Decimal("1.00"))
    assert sale.tx is not None
    rev = ledger.reverse(uid("rev"), sale.tx.id, "rung up twice")
    assert rev.tx.kind == "reversal" and rev.tx.closes == sale.tx.id and rev.tx.memo == "rung up twice"
    assert ledger.balance(account, "USD").available == 0
    with pytest.raises(dcms.DcmsError) as e:
        ledger.reverse(uid("rev2"), sale.tx.id, "again")
    assert e.value.code == "already_closed"


def test_adjust_and_expire(ledger: dcms.Ledger, account: str, uid: Uid) -> None:
    adj = ledger.adjust(uid("adj"), account, 120, "goodwill", currency="USD")
    assert adj.tx.kind == "adjustment" and adj.tx.points_for("program:adjustments:USD") == -120
    assert ledger.adjust(uid("adj2"), account, -20, "typo", currency="USD").tx.memo == "typo"
    exp = ledger.expire(uid("exp"), account, 30, "12 months unused", currency="USD")
    assert exp.tx.kind == "expiry" and exp.tx.points_for("program:breakage:USD") == 30
    assert ledger.balance(account, "USD").available == 70
    # Another currency is another balance.
    ledger.adjust(uid("adj3"), account, 500, "welcome", currency="JPY")
    assert {c: b.available for c, b in ledger.balance(account).items()} == {"JPY": 500, "USD": 70}


def test_history_pages(ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Uid) -> None:
    ids = []
    for i in range(5):
        sale = ledger.credit_change(uid(f"s{i}"), shop.id, account, Decimal("0.90"), Decimal("1.00"))
        assert sale.tx is not None
        ids.append(sale.tx.id)
    pages = list(ledger.history(account, page_size=2))
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [t.id for p in pages for t in p] == ids[::-1]
    assert pages[0].next_cursor is not None and pages[-1].next_cursor is None
    # Continue from a cursor.
    rest = list(ledger.history(account, page_size=10, after=pages[0].next_cursor))
    assert [t.id for p in rest for t in p.items] == ids[::-1][2:]
    empty = ledger.open_account(uid("nobody")).id
    assert list(ledger.history(empty)) == []


def test_verify(ledger: dcms.Ledger, shop: dcms.Vendor, funded: str, uid: Uid) -> None:
    ledger.redeem(uid("x"), shop.id, funded, 10)
    report = ledger.verify()
    assert report.ok and bool(report) and report.problems == []
    assert report.transactions >= 2 and report.accounts >= 2


def test_backend_names(ledger: dcms.Ledger, backend: str) -> None:
    assert ledger.backend == backend
    assert ledger.points_per_minor == {} and ledger.points_per_minor_in("JPY") == 1
    assert ledger.time_zone == "UTC"
    assert repr(ledger) == f'Ledger(backend="{backend}")'
