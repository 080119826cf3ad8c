-- Lookups in the journal that an append makes are planned for the
-- journal's current size, never from a cached generic plan.
--
-- A prepared statement (and a PL/pgSQL statement) may keep a generic plan
-- after its fifth run until the table's statistics change: on a young
-- ledger that is up to a minute (the autovacuum nap). A plan made while
-- the journal was a few pages reads the whole journal, by a sequential
-- scan, on every run; with credits spread over 1,000 customers such plans
-- took 30-170 ms per statement within 40 seconds of a fresh database
-- (benches/README.md, the HTTP server's section). A custom plan sees the
-- journal's current size and uses its indexes. The two lookups are small,
-- so planning them each time is cheap; the statements around them keep
-- their cached plans.

-- The posting trigger's check that each new posting names a journal row,
-- as one lookup of the named ids in the journal's primary key. (Written as
-- an anti-join, even a plan made for the current size chose a hash join
-- over a sequential scan of the journal once a batch held a few dozen
-- postings, and that scan grows with the journal.)
CREATE OR REPLACE FUNCTION dcms_postings_check_tx() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_custom_plan
AS $$
DECLARE
    ids BIGINT[];
    found BIGINT;
BEGIN
    SELECT array_agg(DISTINCT tx_id) INTO ids FROM dcms_new_postings;
    SELECT count(*) INTO found FROM dcms_journal WHERE id = ANY(ids);
    IF found <> coalesce(cardinality(ids), 0) THEN
        RAISE EXCEPTION 'dcms: a posting names no journal transaction'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

-- The journal rows that hold any of the given idempotency keys, for the
-- group commit's lock statement. The SET clause also keeps the function
-- from being inlined into the calling statement's (cached) plan.
CREATE FUNCTION dcms_journal_keys(keys TEXT[])
    RETURNS TABLE (id BIGINT, idem_key TEXT, fingerprint TEXT)
    LANGUAGE sql STABLE
    SET plan_cache_mode = force_custom_plan
AS $$
    SELECT j.id, j.idem_key, j.fingerprint FROM dcms_journal AS j WHERE j.idem_key = ANY(keys)
$$;
