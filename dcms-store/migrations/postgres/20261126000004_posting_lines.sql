-- A statement line from the postings alone (issue 5: month close).
--
-- A statement line shows the transaction it closes, its memo and the point
-- of sale (store, terminal, receipt number). Those lived only in the
-- journal row, so every line cost a lookup of a journal row (about 750
-- bytes, outside the index the statement's totals read): 95% of reading a
-- month's lines. Like kind, vendor and time before them, they are now
-- copied onto each posting when it is written, and the statement index
-- carries them, so a month's lines are one range of one index.
--
-- Size: a memo is at most 500 characters and each point-of-sale field at
-- most 64 (checked by the ledger before anything is written), so an index
-- entry stays far below PostgreSQL's B-tree limit of 2,704 bytes.
ALTER TABLE dcms_postings
    ADD COLUMN closes BIGINT,
    ADD COLUMN memo TEXT,
    ADD COLUMN store_id TEXT,
    ADD COLUMN terminal_id TEXT,
    ADD COLUMN receipt_no TEXT;

-- Postings written before this migration get the fields from their journal
-- row. The append-only trigger is lifted for this one statement only (the
-- migration runs in one transaction, so no other write sees it lifted);
-- rows with nothing to copy are left as they are.
ALTER TABLE dcms_postings DISABLE TRIGGER dcms_postings_append_only;
UPDATE dcms_postings AS p SET
    closes = j.closes,
    memo = j.memo,
    store_id = j.body::jsonb #>> '{pos,store_id}',
    terminal_id = j.body::jsonb #>> '{pos,terminal_id}',
    receipt_no = j.body::jsonb #>> '{pos,receipt_no}'
FROM dcms_journal AS j
WHERE j.id = p.tx_id
  AND (j.closes IS NOT NULL OR j.memo IS NOT NULL
       OR j.body NOT LIKE '{"pos":{"store_id":null,"terminal_id":null,"receipt_no":null}%');
ALTER TABLE dcms_postings ENABLE TRIGGER dcms_postings_append_only;

-- The statement index, now with every field a line shows. It replaces
-- dcms_postings_account_at_cover (same key), so the totals, the daily-cap
-- sum and the foreign key on account are served as before.
CREATE INDEX dcms_postings_account_lines ON dcms_postings (account, at_ns)
    INCLUDE (kind, points, tx_id, closes, memo, store_id, terminal_id, receipt_no);
DROP INDEX dcms_postings_account_at_cover;
