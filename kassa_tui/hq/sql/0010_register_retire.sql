-- A register signed out for good (issue 15, operations): the till journals REGISTERRETIRE
-- (13999, `kassa register retire`) and pushes it like any row. Storing that row marks the
-- register retired (its seq, when HQ took it, the reason); any row after it is refused with
-- an error, so the whole batch is taken back and the till's push says why (a retired till
-- that sells again is something a technician must look at). The ingest function is not
-- replaced: a trigger on entry does it, in ingest's transaction, under its register lock.

ALTER TABLE register
    ADD COLUMN retired_seq bigint,
    ADD COLUMN retired_at timestamptz,
    ADD COLUMN retired_reason text;

-- One statement-level trigger (ingest inserts a batch's entries with one INSERT … SELECT): the
-- batch's REGISTERRETIRE row marks its register, then any row above a register's retired_seq
-- raises (nothing of the batch stays). No per-row cost on the ingest.
CREATE FUNCTION hq_entry_retire() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    UPDATE register r
       SET retired_seq = a.seq, retired_at = now(),
           retired_reason = COALESCE(NULLIF(a.text, '')::jsonb ->> 'reason', '')
      FROM added a
     WHERE a.register_id = r.register_id AND a.event_code = '13999'
       AND a.basic_id = 'REGISTERRETIRE' AND r.retired_seq IS NULL;
    SELECT a.register_id, a.seq, r.retired_seq INTO bad
      FROM added a JOIN register r ON r.register_id = a.register_id
     WHERE r.retired_seq IS NOT NULL AND a.seq > r.retired_seq
     ORDER BY a.seq LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'register % was signed out for good at seq %: HQ takes nothing after it (seq %)',
            bad.register_id, bad.retired_seq, bad.seq
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER entry_retire AFTER INSERT ON entry
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION hq_entry_retire();
