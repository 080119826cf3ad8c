-- The DCMS ledger on SQLite.
-- Points and minor units are INTEGER (64-bit); times are INTEGER nanoseconds
-- since the Unix epoch, UTC, so a DateTime<Utc> round-trips exactly.

CREATE TABLE dcms_meta (
    meta_key TEXT NOT NULL PRIMARY KEY,
    meta_value TEXT NOT NULL
);

-- Hands out customer-account sequence numbers (never twice).
CREATE TABLE dcms_counters (
    name TEXT NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO dcms_counters (name, value) VALUES ('account_seq', 0);

-- A vendor's settings as JSON (they are read whole, never queried by field).
CREATE TABLE dcms_vendors (
    id TEXT NOT NULL PRIMARY KEY,
    body TEXT NOT NULL
);

-- Every ledger account a posting may name: the program's accounts, one per
-- vendor, one per customer. Postings and balances point here.
CREATE TABLE dcms_accounts (
    account TEXT NOT NULL PRIMARY KEY
);
INSERT INTO dcms_accounts (account) VALUES
    ('program:holds'), ('program:breakage'), ('program:adjustments');

-- Customer accounts with their balance (never negative) and held points.
CREATE TABLE dcms_customers (
    id INTEGER NOT NULL PRIMARY KEY,
    account TEXT NOT NULL UNIQUE REFERENCES dcms_accounts (account),
    open_key TEXT NOT NULL UNIQUE,
    opened_at_ns INTEGER NOT NULL,
    balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    held INTEGER NOT NULL DEFAULT 0
);

-- Balances of the other accounts, spread over slot rows so that a busy
-- vendor's liability is not one hot row; an account's balance is the sum.
-- A row exists once the account has moved. SQLite turns an overflowing
-- integer sum into a REAL: the type check refuses that.
CREATE TABLE dcms_balances (
    account TEXT NOT NULL REFERENCES dcms_accounts (account),
    slot INTEGER NOT NULL,
    balance INTEGER NOT NULL CHECK (typeof(balance) = 'integer'),
    PRIMARY KEY (account, slot)
);

-- The journal: append-only (see the triggers below). The idempotency key is
-- unique, and a transaction is closed (reversed or settled) at most once.
CREATE TABLE dcms_journal (
    id INTEGER NOT NULL PRIMARY KEY,
    idem_key TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    vendor TEXT REFERENCES dcms_vendors (id),
    closes INTEGER UNIQUE REFERENCES dcms_journal (id),
    expires_at_ns INTEGER,
    at_ns INTEGER NOT NULL,
    memo TEXT,
    body TEXT NOT NULL
);
CREATE INDEX dcms_journal_at ON dcms_journal (at_ns);

-- The legs of each transaction, in order, with the kind, vendor and time
-- copied from the journal row so per-account reads need no join.
CREATE TABLE dcms_postings (
    tx_id INTEGER NOT NULL REFERENCES dcms_journal (id),
    leg INTEGER NOT NULL,
    account TEXT NOT NULL REFERENCES dcms_accounts (account),
    points INTEGER NOT NULL,
    kind TEXT NOT NULL,
    vendor TEXT,
    at_ns INTEGER NOT NULL,
    PRIMARY KEY (tx_id, leg),
    UNIQUE (account, tx_id)
);
CREATE INDEX dcms_postings_account_at ON dcms_postings (account, at_ns);

-- Holds not yet captured, voided or released (one row per customer leg).
CREATE TABLE dcms_open_holds (
    tx_id INTEGER NOT NULL REFERENCES dcms_journal (id),
    customer INTEGER NOT NULL REFERENCES dcms_customers (id),
    expires_at_ns INTEGER NOT NULL,
    points INTEGER NOT NULL,
    PRIMARY KEY (tx_id, customer)
);
CREATE INDEX dcms_open_holds_expiry ON dcms_open_holds (expires_at_ns, tx_id);

CREATE TRIGGER dcms_journal_no_update BEFORE UPDATE ON dcms_journal
BEGIN SELECT RAISE(ABORT, 'dcms: the journal is append-only'); END;
CREATE TRIGGER dcms_journal_no_delete BEFORE DELETE ON dcms_journal
BEGIN SELECT RAISE(ABORT, 'dcms: the journal is append-only'); END;
CREATE TRIGGER dcms_postings_no_update BEFORE UPDATE ON dcms_postings
BEGIN SELECT RAISE(ABORT, 'dcms: postings are append-only'); END;
CREATE TRIGGER dcms_postings_no_delete BEFORE DELETE ON dcms_postings
BEGIN SELECT RAISE(ABORT, 'dcms: postings are append-only'); END;
