-- One-time redemption codes (dcms_core::codes): one row per issuance, never
-- deleted; an account's current code is its row with the highest seq.
-- Only a keyed hash of the digits is kept.
CREATE TABLE dcms_redemption_codes (
    issue_key TEXT NOT NULL PRIMARY KEY,
    account BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    currency TEXT NOT NULL,
    max_points BIGINT NOT NULL,
    code_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    state TEXT NOT NULL,
    spend_key TEXT,
    version BIGINT NOT NULL,
    UNIQUE (account, seq)
);
