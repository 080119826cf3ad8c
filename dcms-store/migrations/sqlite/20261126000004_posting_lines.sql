-- A statement line from the postings alone (issue 5: month close).
--
-- A statement line shows the transaction it closes, its memo and the point
-- of sale (store, terminal, receipt number). Those lived only in the
-- journal row, so every line cost a lookup of a journal row (about 750
-- bytes, outside the index the statement's totals read). Like kind, vendor
-- and time before them, they are now copied onto each posting when it is
-- written, and the statement index carries them, so a month's lines are
-- one range of one index.
ALTER TABLE dcms_postings ADD COLUMN closes INTEGER;
ALTER TABLE dcms_postings ADD COLUMN memo TEXT;
ALTER TABLE dcms_postings ADD COLUMN store_id TEXT;
ALTER TABLE dcms_postings ADD COLUMN terminal_id TEXT;
ALTER TABLE dcms_postings ADD COLUMN receipt_no TEXT;

-- Postings written before this migration get the fields from their journal
-- row. The append-only trigger is dropped for this one statement and
-- created again as it was (the migration runs in one transaction, so no
-- other write sees it missing); rows with nothing to copy are left alone.
DROP TRIGGER dcms_postings_no_update;
UPDATE dcms_postings SET
    closes = j.closes,
    memo = j.memo,
    store_id = json_extract(j.body, '$.pos.store_id'),
    terminal_id = json_extract(j.body, '$.pos.terminal_id'),
    receipt_no = json_extract(j.body, '$.pos.receipt_no')
FROM dcms_journal AS j
WHERE j.id = dcms_postings.tx_id
  AND (j.closes IS NOT NULL OR j.memo IS NOT NULL
       OR j.body NOT LIKE '{"pos":{"store_id":null,"terminal_id":null,"receipt_no":null}%');
CREATE TRIGGER dcms_postings_no_update BEFORE UPDATE ON dcms_postings
BEGIN SELECT RAISE(ABORT, 'dcms: postings are append-only'); END;

-- The statement index, now with every field a line shows. It replaces
-- dcms_postings_account_at_cover (same leading columns), so the totals,
-- the daily-cap sum and the lines never visit the table.
CREATE INDEX dcms_postings_account_lines ON dcms_postings
    (account, at_ns, kind, points, tx_id, closes, memo, store_id, terminal_id, receipt_no);
DROP INDEX dcms_postings_account_at_cover;
