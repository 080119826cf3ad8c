"""The GIL is released while the core works; a Ledger is shared by threads."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Callable

import dcms

Uid = Callable[[str], str]


def test_thread_pool_transfers_then_verify(ledger: dcms.Ledger, shop: dcms.Vendor, uid: Uid) -> None:
    accounts = [ledger.open_account(uid(f"c{i}")).id for i in range(6)]
    for i, a in enumerate(accounts):
        ledger.adjust(uid(f"seed{i}"), a, 1000, "seed", currency="USD")
    n = 240

    def move(i: int) -> int:
        src = accounts[i % len(accounts)]
        dst = accounts[(i * 7 + 1) % len(accounts)]
        if src == dst:
            dst = accounts[(i + 1) % len(accounts)]
        try:
            ledger.transfer(uid(f"t{i}"), src, dst, 1 + i % 13, currency="USD")
            return 1
        except dcms.InsufficientPointsError:
            return 0

    with ThreadPoolExecutor(max_workers=8) as pool:
        done = sum(pool.map(move, range(n)))
    assert done > 0
    # Points moved between customers only: the total is unchanged.
    assert sum(ledger.balance(a, "USD").available for a in accounts) == 6000
    report = ledger.verify()
    assert report.ok, report.problems


def test_concurrent_credits_and_replays(ledger: dcms.Ledger, shop: dcms.Vendor, account: str, uid: Uid) -> None:
    # The same 50 keys sent from 4 threads each: every sale counted once.
    def credit(i: int) -> bool:
        sale = ledger.credit_change(uid(f"r{i % 50}"), shop.id, account, Decimal("0.99"), Decimal("1.00"))
        return sale.replayed

    with ThreadPoolExecutor(max_workers=4) as pool:
        replays = list(pool.map(credit, range(200)))
    assert replays.count(False) == 50
    assert ledger.balance(account, "USD").available == 50
    assert ledger.verify().ok


def test_gil_is_released_during_calls() -> None:
    # One long call (30,000 credits in a batch): with the GIL held through
    # it, a pure-Python thread could not count at all meanwhile.
    ledger = dcms.open()
    shop = ledger.create_vendor("shop", "Shop", "USD", "UTC")
    acct = ledger.open_account("a").id
    requests = [dcms.CreditChange(f"r{i}", shop.id, acct, Decimal("0.50"), Decimal("1.00")) for i in range(30_000)]
    stop = threading.Event()
    ticks = [0]

    def spin() -> None:
        while not stop.is_set():
            ticks[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        time.sleep(0.01)
        before = ticks[0]
        ledger.credit_change_many(requests)
        during = ticks[0] - before
    finally:
        stop.set()
        t.join()
    assert ledger.balance(acct, "USD").available == 30_000 * 50
    assert during > 10_000, during
