"""The optional expiry policy: points of an account and currency expire
after N months without activity, warned about first.

The shared PostgreSQL database holds other runs' accounts, and
`expire_inactive` looks at every account; these tests live in 2001 so that
only their own accounts are old enough, and they check their own accounts
rather than the run's totals.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Callable

import dcms
from conftest import aware, open_backend

Uid = Callable[[str], str]


def test_inactive_points_expire_per_currency(backend: str, tmp_path: Path, uid: Uid) -> None:
    clock = dcms.ManualClock(aware(2001, 1, 15))
    ledger = open_backend(backend, tmp_path, clock=clock, expiry_months=12)
    nyc = ledger.create_vendor(uid("nyc"), "NYC", "USD", "UTC").id
    tokyo = ledger.create_vendor(uid("tokyo"), "Tokyo", "JPY", "Asia/Tokyo").id
    a = ledger.open_account(uid("a")).id
    ledger.credit_change(uid("n1"), nyc, a, Decimal("6.63"), Decimal("10.00"))  # 37 USD
    clock.set(aware(2001, 6, 15))
    ledger.credit_change(uid("t1"), tokyo, a, Decimal(1630), Decimal(5000))  # 370 JPY

    # Warned first: the dollars go quiet on 15 January, the yen in June.
    soon = [p for p in ledger.expiring_within(aware(2001, 12, 1), timedelta(days=60)) if p.customer == a]
    assert [(p.currency, p.points, p.last_activity, p.expires_at) for p in soon] == [
        ("USD", 37, aware(2001, 1, 15), aware(2002, 1, 15))
    ]
    assert "USD" in repr(soon[0])
    # Not yet due: nothing expires.
    clock.set(aware(2001, 12, 1))
    ledger.expire_inactive(aware(2001, 12, 1))
    assert ledger.balance(a, "USD").available == 37

    clock.set(aware(2002, 2, 1))
    report = ledger.expire_inactive(aware(2002, 2, 1))
    assert report.expired >= 1 and report.points.get("USD", 0) >= 37
    if backend != "postgres":  # a fresh ledger: only this account
        assert (report.expired, report.already_expired, report.skipped, report.points) == (1, 0, 0, {"USD": 37})
    assert ledger.balance(a, "USD").available == 0
    assert ledger.balance(a, "JPY").available == 370  # the yen moved in June
    [expiry] = next(iter(ledger.history(a, currency="USD", page_size=1)))
    assert (expiry.kind, expiry.currency) == ("expiry", "USD")
    assert expiry.points_for("program:breakage:USD") == 37
    # Run again (or from another process): nothing expires twice.
    again = ledger.expire_inactive(aware(2002, 2, 1))
    if backend != "postgres":
        assert (again.expired, again.points) == (0, {})
    assert ledger.balance(a, "USD").available == 0
    assert ledger.verify().ok


def test_without_a_policy_nothing_expires() -> None:
    clock = dcms.ManualClock(aware(2001, 1, 15))
    ledger = dcms.open(clock=clock)
    ledger.create_vendor("nyc", "NYC", "USD", "UTC")
    a = ledger.open_account("a").id
    ledger.credit_change("n1", "nyc", a, Decimal("6.63"), Decimal("10.00"))
    clock.set(aware(2030, 1, 1))
    assert ledger.expiring_within(aware(2030, 1, 1), timedelta(days=365)) == []
    report = ledger.expire_inactive(aware(2030, 1, 1))
    assert (report.expired, report.points) == (0, {})
    assert ledger.balance(a, "USD").available == 37
