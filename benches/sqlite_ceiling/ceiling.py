"""The most change credits per second SQLite itself takes with the store's rows.

No driver but Python's `sqlite3`, no checks, no ledger: per batch of 2,048
credits it reads the customers' balances, inserts the journal rows and the
postings as multi-row statements (1,024 rows each), updates the customers,
adds the vendor's movement and commits, with the settings of the store's
writer (WAL, synchronous = FULL, foreign keys on, 128 MiB of cache,
checkpoint every 16,384 pages) and its schema (its migrations, applied in
order). A journal body is 240 bytes, the size of a change credit's since
session 4 (`--body 830`: before).

    python3 benches/sqlite_ceiling/ceiling.py [--variant NAME] [--batches N] [--body BYTES] [--page-size BYTES]

Variants take indexes or constraints off the postings table to show what
each costs; none of them is a schema the store could use (see
benches/README.md, "Session 4").
"""
import argparse
import glob
import os
import tempfile
import time
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parents[2] / "dcms-store" / "migrations" / "sqlite"
COLUMNS = (
    "tx_id INTEGER NOT NULL REFERENCES dcms_journal (id), leg INTEGER NOT NULL, "
    "account TEXT NOT NULL REFERENCES dcms_accounts (account), points INTEGER NOT NULL, "
    "kind TEXT NOT NULL, vendor TEXT, at_ns INTEGER NOT NULL, closes INTEGER, memo TEXT, "
    "store_id TEXT, terminal_id TEXT, receipt_no TEXT"
)
LINES_INDEX = (
    "CREATE INDEX dcms_postings_account_lines ON dcms_postings "
    "(account, at_ns, kind, points, tx_id, closes, memo, store_id, terminal_id, receipt_no);"
)
# Postings tables that differ from the store's in one respect each.
VARIANTS = {
    "store": None,
    "no-account-tx-unique": f"CREATE TABLE dcms_postings ({COLUMNS}, PRIMARY KEY (tx_id, leg)); {LINES_INDEX}",
    "without-rowid": f"CREATE TABLE dcms_postings ({COLUMNS}, PRIMARY KEY (tx_id, leg)) WITHOUT ROWID; {LINES_INDEX}",
    "no-lines-index": f"CREATE TABLE dcms_postings ({COLUMNS}, PRIMARY KEY (tx_id, leg), UNIQUE (account, tx_id));",
}
BATCH = 2048
CUSTOMERS = 1024


def open_db(path, variant, page_size):
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"PRAGMA page_size = {int(page_size)}")
    for migration in sorted(MIGRATIONS.glob("*.sql")):
        db.executescript(migration.read_text())
    if VARIANTS[variant]:
        db.executescript("DROP TABLE dcms_postings; " + VARIANTS[variant])
    db.executescript(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; "
        "PRAGMA cache_size = -131072; PRAGMA wal_autocheckpoint = 16384;"
    )
    db.execute("INSERT INTO dcms_vendors VALUES ('hot-shop', '{}')")
    db.execute("INSERT INTO dcms_accounts VALUES ('vendor:hot-shop')")
    for i in range(CUSTOMERS):
        cid = 100000 + i
        db.execute("INSERT INTO dcms_accounts VALUES (?)", (f"customer:{cid}",))
        db.execute(
            "INSERT INTO dcms_customers (id, account, open_key, opened_at_ns) VALUES (?, ?, ?, 0)",
            (cid, f"customer:{cid}", f"open-{i}"),
        )
    return db


def insert(db, table, columns, rows):
    marks = "(" + ", ".join("?" * len(columns)) + ")"
    for i in range(0, len(rows), 1024):
        chunk = rows[i : i + 1024]
        db.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join([marks] * len(chunk)),
            [value for row in chunk for value in row],
        )


def run(path, variant, batches, body, page_size):
    db = open_db(path, variant, page_size)
    ids = [100000 + i for i in range(CUSTOMERS)]
    phases = dict.fromkeys(["read", "journal", "postings", "customers", "commit"], 0.0)
    tx_id, at = 0, 1_767_272_400_000_000_000
    start = time.perf_counter()
    for b in range(batches):
        t0 = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        marks = ", ".join("?" * len(ids))
        balance = dict(db.execute(f"SELECT id, balance FROM dcms_customers WHERE id IN ({marks})", ids))
        journal, postings = [], []
        for k in range(BATCH):
            tx_id += 1
            customer = 100000 + tx_id % CUSTOMERS
            balance[customer] += 20
            journal.append((tx_id, f"pos-{b}/{k}", f"credit|hot-shop|{customer}", "change_credit",
                            "hot-shop", at + tx_id, body))
            for leg, (account, points) in enumerate((("vendor:hot-shop", -20), (f"customer:{customer}", 20))):
                postings.append((tx_id, leg, account, points, "change_credit", "hot-shop", at + tx_id))
        t1 = time.perf_counter()
        insert(db, "dcms_journal", ["id", "idem_key", "fingerprint", "kind", "vendor", "at_ns", "body"], journal)
        t2 = time.perf_counter()
        insert(db, "dcms_postings", ["tx_id", "leg", "account", "points", "kind", "vendor", "at_ns"], postings)
        t3 = time.perf_counter()
        db.executemany("UPDATE dcms_customers SET balance = ? WHERE id = ?", [(v, k) for k, v in balance.items()])
        db.execute(
            "INSERT INTO dcms_balances VALUES ('vendor:hot-shop', 0, ?) ON CONFLICT (account, slot) "
            "DO UPDATE SET balance = balance + excluded.balance",
            (-20 * BATCH,),
        )
        t4 = time.perf_counter()
        db.execute("COMMIT")
        t5 = time.perf_counter()
        for name, took in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            phases[name] += took
    elapsed = time.perf_counter() - start
    db.close()
    per_batch = ", ".join(f"{k} {v / batches * 1000:.1f}" for k, v in phases.items())
    print(f"{variant}, {len(body)}-byte bodies, {page_size}-byte pages: {BATCH * batches / elapsed:,.0f} credits/s (ms per batch of {BATCH}: {per_batch})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=sorted(VARIANTS), action="append")
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--body", type=int, default=240, help="bytes of each journal body")
    parser.add_argument("--page-size", type=int, default=4096, help="SQLite page size of the new file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dcms-sqlite-ceiling-") as folder:
        for variant in args.variant or list(VARIANTS):
            path = os.path.join(folder, f"{variant}.db")
            run(path, variant, args.batches, "x" * args.body, args.page_size)
            for f in glob.glob(path + "*"):
                os.remove(f)


if __name__ == "__main__":
    main()
