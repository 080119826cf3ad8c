-- Statements read an account's postings by time: `activity` groups them by
-- day and kind, the statement lines list them. With kind, points and tx_id
-- in the index those reads are index-only scans (a month of a million
-- postings is a range of the index). It replaces dcms_postings_account_at,
-- whose key is its prefix, so every query that used that index (the
-- daily-cap sum too) can use this one. Built inside the migration's
-- transaction: appends wait while it builds (2-3 s per two million postings
-- on the benchmark machine).
CREATE INDEX dcms_postings_account_at_cover ON dcms_postings (account, at_ns) INCLUDE (kind, points, tx_id);
DROP INDEX dcms_postings_account_at;
