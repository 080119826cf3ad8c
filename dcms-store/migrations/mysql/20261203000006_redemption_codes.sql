-- One-time redemption codes (dcms_core::codes): one row per issuance, never
-- deleted; an account's current code is its row with the highest seq.
-- Only a keyed hash of the digits is kept.
CREATE TABLE dcms_redemption_codes (
    issue_key VARCHAR(255) NOT NULL PRIMARY KEY,
    account BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    currency VARCHAR(3) NOT NULL,
    max_points BIGINT NOT NULL,
    code_hash VARCHAR(64) NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    state VARCHAR(8) NOT NULL,
    spend_key VARCHAR(255),
    version BIGINT NOT NULL,
    UNIQUE (account, seq)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
