"""Change credits per second through the Python binding, beside the same
loop calling the Rust core directly (benches/python/native_rate.rs).

    bash benches/python/run.sh            # builds both, then runs this
    python benches/python/credit_rate.py --native PATH [--repeat 3]

For each store (in memory; a SQLite file, durable commits) it measures:
- native: the Rust loop, one `credit_change` per sale;
- single: `ledger.credit_change(...)` once per sale from a Python loop;
- batch: `ledger.credit_change_many(chunk)` over `CreditChange` requests
  built beforehand (the call alone), and end to end (building them too).
Every run uses a fresh ledger and a new idempotency key per sale; the
Python timings run with the cyclic GC off (as `timeit` does); the
variants run interleaved `--repeat` times. Prints Markdown tables of the
best and the median run.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Callable

import dcms

TOTAL = Decimal("6.63")
TENDERED = Decimal("10.00")
CHUNK = 1000


def fresh(target: str, workdir: Path, run: int) -> tuple[dcms.Ledger, str, str]:
    url = None if target == "memory" else str(workdir / f"py-{run}.db")
    ledger = dcms.open(url)
    vendor = ledger.create_vendor("bench", "Bench", "USD", "UTC").id
    account = ledger.open_account("bench-account").id
    return ledger, vendor, account


def no_gc(measure: Callable[[], float]) -> float:
    """Runs a measurement with the cyclic GC off, as `timeit` does."""
    gc.collect()
    gc.disable()
    try:
        return measure()
    finally:
        gc.enable()


def single(ledger: dcms.Ledger, vendor: str, account: str, n: int) -> float:
    credit = ledger.credit_change

    def measure() -> float:
        start = time.perf_counter()
        for i in range(n):
            credit(f"bench/{i}", vendor, account, TOTAL, TENDERED)
        return n / (time.perf_counter() - start)

    return no_gc(measure)


def batch(ledger: dcms.Ledger, vendor: str, account: str, n: int) -> tuple[float, float]:
    """(rate of the calls alone, rate including building the requests)."""
    times: list[float] = []

    def measure() -> float:
        start = time.perf_counter()
        requests = [dcms.CreditChange(f"bench/{i}", vendor, account, TOTAL, TENDERED) for i in range(n)]
        built = time.perf_counter()
        for k in range(0, n, CHUNK):
            ledger.credit_change_many(requests[k : k + CHUNK])
        end = time.perf_counter()
        times.extend([start, built, end])
        return 0.0

    no_gc(measure)
    start, built, end = times
    return n / (end - built), n / (end - start)


def native(binary: str, target: str, workdir: Path, run: int, n: int) -> float:
    arg = "memory" if target == "memory" else str(workdir / f"native-{run}.db")
    out = subprocess.run([binary, arg, str(n)], check=True, capture_output=True, text=True).stdout
    return float(json.loads(out.strip().splitlines()[-1])["per_second"])


def table(title: str, rows: list[tuple[str, int, list[float]]]) -> None:
    print(f"{title}\n")
    print("| store | sales/run | native core | binding, single calls | binding, batch call | batch incl. building requests |")
    print("|---|---:|---:|---:|---:|---:|")
    for target, n, (nat, one, calls, e2e) in rows:
        print(
            f"| {target} | {n:,} | {nat:,.0f}/s | {one:,.0f}/s ({one / nat:.0%}) "
            f"| {calls:,.0f}/s ({calls / nat:.0%}) | {e2e:,.0f}/s ({e2e / nat:.0%}) |"
        )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description="change credits/s: Python binding vs native core")
    parser.add_argument("--native", required=True, help="path of the native_credit_rate binary")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-n", type=int, default=200_000)
    parser.add_argument("--sqlite-n", type=int, default=2_000)
    args = parser.parse_args()
    best: list[tuple[str, int, list[float]]] = []
    median: list[tuple[str, int, list[float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for target, n in (("memory", args.memory_n), ("sqlite", args.sqlite_n)):
            # Interleaved, so a burst of load elsewhere hits every variant alike.
            runs: list[list[float]] = [[], [], [], []]
            for r in range(args.repeat):
                runs[0].append(native(args.native, target, work, r, n))
                runs[1].append(single(*fresh(target, work, 100 + r), n))
                calls, e2e = batch(*fresh(target, work, 200 + r), n)
                runs[2].append(calls)
                runs[3].append(e2e)
            best.append((target, n, [max(v) for v in runs]))
            median.append((target, n, [statistics.median(v) for v in runs]))
    print(f"dcms {dcms.__version__}; {args.repeat} interleaved runs; one new idempotency key per sale\n")
    table("Best run (the least disturbed by other load):", best)
    table("Median run:", median)


if __name__ == "__main__":
    main()
