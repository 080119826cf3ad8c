"""Loads a month of the journal and prints per-vendor and per-day totals.

    python examples/python/month_report.py                 # a sample month, in memory
    python examples/python/month_report.py dcms.db --month 2026-03 --csv march.csv

Without a ledger URL it first simulates a month of cash sales at three
stores (fixed seed), so it runs anywhere. The totals are computed here,
from the plain rows `Ledger.journal_rows` returns; with pandas installed
the per-day table is also shown as a DataFrame pivot.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional, Sequence
from zoneinfo import ZoneInfo

import dcms

SAMPLE_MONTH = "2026-03"


def simulate(ledger: dcms.Ledger, clock: dcms.ManualClock) -> None:
    """A month of sales (and some redemptions) at three stores."""
    rng = random.Random(7)
    stores = [
        ledger.create_vendor("corner-shop", "Corner Shop", "USD", "UTC"),
        ledger.create_vendor("bakery", "Bakery", "USD", "UTC", policy="all_change"),
        ledger.create_vendor("kiosk", "Kiosk", "USD", "UTC", per_credit_cap=80),
    ]
    customers = [ledger.open_account(f"sample-{i}").id for i in range(40)]
    start = datetime(2026, 3, 1, 8, tzinfo=timezone.utc)
    for day in range(31):
        clock.set(start + timedelta(days=day))
        for n in range(rng.randint(5, 15)):
            clock.advance(timedelta(minutes=rng.randint(5, 40)))
            store = rng.choice(stores)
            who = rng.choice(customers)
            total = Decimal(rng.randint(50, 4000)) / 100
            tendered = Decimal(int(total) + rng.choice([1, 5, 10]))
            try:
                ledger.credit_change(f"{store.id}/{day}-{n}", store.id, who, total, tendered)
            except dcms.LimitExceededError:
                pass  # the cashier hands the coins back
            if rng.random() < 0.1 and ledger.balance(who, store.currency).available >= 50:
                ledger.redeem(f"{store.id}/{day}-{n}/redeem", store.id, who, 50)


@dataclass
class Totals:
    """Counts and sums of one vendor or one day."""

    sales: int = 0
    cash: Decimal = Decimal(0)
    credited: int = 0
    redeemed: int = 0
    currencies: set[str] = field(default_factory=set)

    def add(self, row: dict[str, Any]) -> None:
        # The vendor's leg: negative when it issues points, positive when
        # they are spent there.
        points: int = row["points"]
        if row["kind"] == "change_credit":
            self.sales += 1
            self.cash += row["total"]
            self.credited -= points
            self.currencies.add(row["currency"])
        elif row["kind"] in ("redemption", "hold_capture"):
            self.redeemed += points
        elif row["kind"] == "reversal":
            if points > 0:
                self.credited -= points
            else:
                self.redeemed += points


def report(rows: Sequence[dict[str, Any]], zone: str) -> None:
    """Prints per-vendor and per-day totals of the rows."""
    by_vendor: dict[str, Totals] = defaultdict(Totals)
    by_day: dict[date, Totals] = defaultdict(Totals)
    tz = ZoneInfo(zone)
    for row in rows:
        vendor: Optional[str] = row["vendor"]
        # Each vendor transaction once: its vendor leg (an account names
        # its currency last, `vendor:<id>:<CUR>`).
        if vendor is None or row["account"] != f"vendor:{vendor}:{row['currency']}":
            continue
        by_vendor[vendor].add(row)
        at: datetime = row["at"]
        by_day[at.astimezone(tz).date()].add(row)
    print(f"{'vendor':<14} {'sales':>6} {'cash taken':>12} {'credited':>9} {'redeemed':>9}")
    for vendor, t in sorted(by_vendor.items()):
        print(f"{vendor:<14} {t.sales:>6} {t.cash:>12} {t.credited:>9} {t.redeemed:>9}")
    print()
    print(f"{'day':<11} {'sales':>6} {'cash taken':>12} {'credited':>9} {'redeemed':>9}")
    for day, t in sorted(by_day.items()):
        print(f"{day.isoformat():<11} {t.sales:>6} {t.cash:>12} {t.credited:>9} {t.redeemed:>9}")


def pandas_pivot(rows: Sequence[dict[str, Any]]) -> None:
    """Points credited per day and vendor, as a DataFrame (if pandas is installed)."""
    if not rows:
        return
    if importlib.util.find_spec("pandas") is None:
        print("\n(pandas is not installed: no DataFrame view)")
        return
    df = dcms.analytics.to_dataframe(rows)
    credits = df[(df["kind"] == "change_credit") & (df["account"].str.startswith("vendor:"))]
    pivot = (-credits["points"]).groupby([credits["at"].dt.date, credits["vendor"]]).sum().unstack(fill_value=0)
    print("\npoints credited per day and vendor (pandas):")
    print(pivot.tail(7).to_string())


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("url", nargs="?", help="ledger URL or SQLite path (default: a sample month in memory)")
    parser.add_argument("--month", default=SAMPLE_MONTH, help="yyyy-mm (default %(default)s)")
    parser.add_argument("--time-zone", default="UTC", help="IANA zone of the month and its days")
    parser.add_argument("--csv", help="also write the month's rows to this CSV file")
    args = parser.parse_args(argv)
    if args.url is None:
        clock = dcms.ManualClock(datetime(2026, 3, 1, tzinfo=timezone.utc))
        ledger = dcms.open(clock=clock)
        simulate(ledger, clock)
    else:
        ledger = dcms.open(args.url)
    rows = ledger.journal_rows(args.month, time_zone=args.time_zone)
    print(f"{args.month} ({args.time_zone}): {len(rows)} journal lines\n")
    report(rows, args.time_zone)
    if args.csv:
        n = dcms.analytics.to_csv(rows, args.csv)
        print(f"\nwrote {n} rows to {args.csv}")
    pandas_pivot(rows)
    assert ledger.verify().ok


if __name__ == "__main__":
    main()
