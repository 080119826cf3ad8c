-- A statement line from the postings alone (issue 5: month close).
--
-- A statement line shows the transaction it closes, its memo and the point
-- of sale (store, terminal, receipt number). Those lived only in the
-- journal row, so every line cost a lookup of a journal row. Like kind,
-- vendor and time before them, they are now copied onto each posting when
-- it is written. (On InnoDB the lines still come from the clustered
-- posting rows: a TEXT memo cannot be part of a secondary index, so the
-- statement index is unchanged here.) The point-of-sale fields are at most
-- 64 characters, a memo at most 500 (checked by the ledger).
ALTER TABLE dcms_postings
    ADD COLUMN closes BIGINT NULL,
    ADD COLUMN memo TEXT NULL,
    ADD COLUMN store_id VARCHAR(64) NULL,
    ADD COLUMN terminal_id VARCHAR(64) NULL,
    ADD COLUMN receipt_no VARCHAR(64) NULL;

-- Postings written before this migration get the fields from their journal
-- row; the append-only trigger is dropped for this statement and created
-- again as it was. A JSON null is not copied as the text 'null'.
DROP TRIGGER dcms_postings_no_update;
UPDATE dcms_postings AS p JOIN dcms_journal AS j ON j.id = p.tx_id SET
    p.closes = j.closes,
    p.memo = j.memo,
    p.store_id = CASE WHEN JSON_TYPE(JSON_EXTRACT(j.body, '$.pos.store_id')) = 'STRING'
        THEN JSON_UNQUOTE(JSON_EXTRACT(j.body, '$.pos.store_id')) END,
    p.terminal_id = CASE WHEN JSON_TYPE(JSON_EXTRACT(j.body, '$.pos.terminal_id')) = 'STRING'
        THEN JSON_UNQUOTE(JSON_EXTRACT(j.body, '$.pos.terminal_id')) END,
    p.receipt_no = CASE WHEN JSON_TYPE(JSON_EXTRACT(j.body, '$.pos.receipt_no')) = 'STRING'
        THEN JSON_UNQUOTE(JSON_EXTRACT(j.body, '$.pos.receipt_no')) END
WHERE j.closes IS NOT NULL OR j.memo IS NOT NULL
   OR j.body NOT LIKE '{"pos":{"store_id":null,"terminal_id":null,"receipt_no":null}%';
CREATE TRIGGER dcms_postings_no_update BEFORE UPDATE ON dcms_postings FOR EACH ROW
    SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'dcms: postings are append-only';
