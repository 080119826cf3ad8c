-- The DCMS ledger on MySQL 8 / MariaDB 10.5+ (InnoDB).
-- Points and minor units are BIGINT; times are BIGINT nanoseconds since the
-- Unix epoch, UTC, so a DateTime<Utc> round-trips exactly. Text columns use
-- the binary collation: keys and ids compare byte for byte, case-sensitive.

CREATE TABLE dcms_meta (
    meta_key VARCHAR(255) NOT NULL PRIMARY KEY,
    meta_value TEXT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Hands out customer-account sequence numbers (never twice).
CREATE TABLE dcms_counters (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO dcms_counters (name, value) VALUES ('account_seq', 0);

-- A vendor's settings as JSON (they are read whole, never queried by field).
CREATE TABLE dcms_vendors (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    body TEXT NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Every ledger account a posting may name: the program's accounts, one per
-- vendor, one per customer. Postings and balances point here.
CREATE TABLE dcms_accounts (
    account VARCHAR(80) NOT NULL PRIMARY KEY
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
INSERT INTO dcms_accounts (account) VALUES
    ('program:holds'), ('program:breakage'), ('program:adjustments');

-- Customer accounts with their balance (never negative) and held points.
CREATE TABLE dcms_customers (
    id BIGINT NOT NULL PRIMARY KEY,
    account VARCHAR(80) NOT NULL UNIQUE,
    open_key VARCHAR(255) NOT NULL UNIQUE,
    opened_at_ns BIGINT NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0 CHECK (balance >= 0),
    held BIGINT NOT NULL DEFAULT 0,
    FOREIGN KEY (account) REFERENCES dcms_accounts (account)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Balances of the other accounts, spread over slot rows so that a busy
-- vendor's liability is not one hot row; an account's balance is the sum.
-- A row exists once the account has moved.
CREATE TABLE dcms_balances (
    account VARCHAR(80) NOT NULL,
    slot BIGINT NOT NULL,
    balance BIGINT NOT NULL,
    PRIMARY KEY (account, slot),
    FOREIGN KEY (account) REFERENCES dcms_accounts (account)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The journal: append-only (see the triggers below). The idempotency key is
-- unique, and a transaction is closed (reversed or settled) at most once.
CREATE TABLE dcms_journal (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    idem_key VARCHAR(255) NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    kind VARCHAR(32) NOT NULL,
    vendor VARCHAR(64) NULL,
    closes BIGINT NULL UNIQUE,
    expires_at_ns BIGINT NULL,
    at_ns BIGINT NOT NULL,
    memo TEXT NULL,
    body MEDIUMTEXT NOT NULL,
    KEY dcms_journal_at (at_ns),
    FOREIGN KEY (vendor) REFERENCES dcms_vendors (id),
    FOREIGN KEY (closes) REFERENCES dcms_journal (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The legs of each transaction, in order, with the kind, vendor and time
-- copied from the journal row so per-account reads need no join.
CREATE TABLE dcms_postings (
    tx_id BIGINT NOT NULL,
    leg BIGINT NOT NULL,
    account VARCHAR(80) NOT NULL,
    points BIGINT NOT NULL,
    kind VARCHAR(32) NOT NULL,
    vendor VARCHAR(64) NULL,
    at_ns BIGINT NOT NULL,
    PRIMARY KEY (tx_id, leg),
    UNIQUE KEY dcms_postings_account_tx (account, tx_id),
    KEY dcms_postings_account_at (account, at_ns),
    FOREIGN KEY (tx_id) REFERENCES dcms_journal (id),
    FOREIGN KEY (account) REFERENCES dcms_accounts (account)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Holds not yet captured, voided or released (one row per customer leg).
CREATE TABLE dcms_open_holds (
    tx_id BIGINT NOT NULL,
    customer BIGINT NOT NULL,
    expires_at_ns BIGINT NOT NULL,
    points BIGINT NOT NULL,
    PRIMARY KEY (tx_id, customer),
    KEY dcms_open_holds_expiry (expires_at_ns, tx_id),
    FOREIGN KEY (tx_id) REFERENCES dcms_journal (id),
    FOREIGN KEY (customer) REFERENCES dcms_customers (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The journal and its postings are never edited: a mistake is undone by a
-- reversal. These triggers refuse UPDATE and DELETE.
CREATE TRIGGER dcms_journal_no_update BEFORE UPDATE ON dcms_journal FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dcms: the journal is append-only';
CREATE TRIGGER dcms_journal_no_delete BEFORE DELETE ON dcms_journal FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dcms: the journal is append-only';
CREATE TRIGGER dcms_postings_no_update BEFORE UPDATE ON dcms_postings FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dcms: postings are append-only';
CREATE TRIGGER dcms_postings_no_delete BEFORE DELETE ON dcms_postings FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dcms: postings are append-only';
