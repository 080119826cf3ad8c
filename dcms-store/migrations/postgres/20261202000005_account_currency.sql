-- Points carry their currency (issue 12).
--
-- Every account name now ends in its currency (`customer:123457:USD`,
-- `vendor:V1:USD`, `program:holds:JPY`), and a customer holds one balance
-- per currency. Those balances live here, one row per customer and
-- currency, created by the first movement in that currency; the database
-- still refuses a negative balance. `dcms_customers` keeps what is per
-- customer (the id, the opening key and time, and the lock an append
-- takes on the customer); its `balance` and `held` columns are no longer
-- used and are left at zero, and its `account` column keeps the
-- customer's name without a currency.
--
-- This file only adds the new tables and indexes. The rows of a ledger
-- written before it are given their currency by the store in Rust, right
-- after this migration (see the crate docs, "Accounts with a currency"):
-- which currency a transfer, adjustment or expiry moved is a question
-- about the whole ledger, and a ledger where it has no single answer must
-- be refused before anything is changed. The row below tells the store
-- that this step is still to be done.
CREATE TABLE dcms_customer_balances (
    customer BIGINT NOT NULL,
    currency TEXT NOT NULL,
    account TEXT NOT NULL,
    balance BIGINT NOT NULL DEFAULT 0 CHECK (balance >= 0),
    held BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (customer, currency),
    FOREIGN KEY (customer) REFERENCES dcms_customers (id),
    FOREIGN KEY (account) REFERENCES dcms_accounts (account)
);

-- A customer's expired holds are released before their points are
-- counted (expiry of dormant balances), so they are found by customer.
CREATE INDEX dcms_open_holds_customer ON dcms_open_holds (customer, expires_at_ns);

INSERT INTO dcms_meta (meta_key, meta_value) VALUES ('dcms_store.account_currency', 'pending');
