-- Statements read an account's postings by time: `activity` groups them by
-- day and kind, the statement lines list them. With kind and points in the
-- index (InnoDB secondary indexes carry the primary key, tx_id and leg,
-- already) those reads never visit the clustered rows. It replaces
-- dcms_postings_account_at, whose key is its prefix, so every query that
-- used that index (the daily-cap sum too) can use this one; the foreign key
-- on account is served by either.
CREATE INDEX dcms_postings_account_at_cover ON dcms_postings (account, at_ns, kind, points);
DROP INDEX dcms_postings_account_at ON dcms_postings;
