-- ingest() cheaper per row (issue 15: HQ's ingest ≥ 20 % of COPY). Every rule is 0011's, and
-- 0007's and 0001's before it, unchanged; what each row costs is not. Measured inside
-- PostgreSQL on 51,603 rows (auto_explain with log_nested_statements, then each change alone
-- A/B against 0011 on the same batches, interleaved: bench/README.md, "0016"):
--
-- 1. The register's foreign key on entry ran one RI query a row ("SELECT 1 FROM register x
--    WHERE register_id = $1 FOR KEY SHARE OF x", 500 of them a batch) for a register that
--    ingest has already checked (it exists and belongs to the caller) and locked FOR UPDATE in
--    the same call: ingest's rows can never miss it. The guarantee stays for every writer, not
--    only ingest, at one query a statement instead of one a row: an AFTER INSERT … FOR EACH
--    STATEMENT trigger (entry_register) takes KEY SHARE on each register the statement's rows
--    name — the lock the foreign key took, so a register cannot be deleted under a
--    transaction still inserting for it — and refuses the statement when one is not at HQ
--    (SQLSTATE 23503, as the foreign key did). The foreign key's other half, a register
--    deleted or renamed while HQ holds its entries, is a BEFORE DELETE OR UPDATE OF
--    register_id trigger on register (register_keeps_entries): it fires after the row is
--    locked, so it waits for an inserting transaction and then sees its rows. A deferred
--    foreign key would not help: it still queues and runs one check a row, at commit.
-- 2. The taken rows go into entry in the ruling statement itself (a data-modifying CTE),
--    straight from the parsed payloads. 0011 gathered them into fourteen arrays (one
--    array_agg, and so one sort, each) and unnested them again in a second INSERT. Only the
--    rows that carry a transaction (a few in a batch) are still gathered, for the sales rows
--    and stock deltas. The INSERT runs only when the batch is not refused whole (a bad row,
--    hash, shape or transaction, or another register's transaction): those still raise, and
--    nothing of the batch is stored, as before (the exception undoes the call either way).
-- 3. Three CTEs are no longer MATERIALIZED (raw: the batch's elements; ordered: the window over
--    them; fields: read once by judged): three fewer copies of every row's payload into a
--    tuplestore. parsed stays materialized, so each payload is still hashed and parsed once
--    (inlining it was slower: the planner repeats the parse in every use).
-- Untouched, because they are the rules: sha256 of each payload (and of each transaction
-- record), the JSON parse of each payload, entry's primary key and its uuid key, the window
-- that gives each row its verdict from its neighbours.
--
-- Order of migrations: 0017, 0018 and 0019 (other work) touch neither entry, register's
-- triggers nor ingest, and the runner (kassa_tui/hq/migrations.py) applies every file not yet
-- recorded in number order, so an HQ already at 0019 gets this one late and ends in the same
-- schema as a fresh HQ that runs 0016 to 0019 (pg_dump -s of both compared: the same).

-- 1. The register's foreign key, checked once a statement instead of once a row.
ALTER TABLE entry DROP CONSTRAINT entry_register_id_fkey;

CREATE FUNCTION hq_entry_register() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    missing text;
BEGIN
    -- the lock the foreign key took (KEY SHARE), once per register named, not once per row
    PERFORM 1 FROM register r
     WHERE r.register_id IN (SELECT DISTINCT a.register_id FROM added a)
       FOR KEY SHARE OF r;
    SELECT a.register_id INTO missing
      FROM (SELECT DISTINCT register_id FROM added) a
     WHERE NOT EXISTS (SELECT 1 FROM register r WHERE r.register_id = a.register_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert into entry: register % is not at HQ', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER entry_register AFTER INSERT ON entry
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION hq_entry_register();

-- the other half of the foreign key: a register HQ holds entries of stays, under its ID
CREATE FUNCTION hq_register_keeps_entries() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.register_id = OLD.register_id THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM entry e WHERE e.register_id = OLD.register_id) THEN
        RAISE EXCEPTION 'register %: HQ holds its journal entries', OLD.register_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER register_keeps_entries BEFORE DELETE OR UPDATE OF register_id ON register
    FOR EACH ROW EXECUTE FUNCTION hq_register_keeps_entries();

-- 2. and 3.: ingest as 0011 wrote it, but for where its taken rows go and what it materializes.
CREATE OR REPLACE FUNCTION ingest(p_register text, p_entries jsonb,
                                  p_till_clock timestamptz DEFAULT NULL,
                                  p_till_head bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    reg register%ROWTYPE;
    v_status text := 'ok';
    accepted integer := 0;
    replayed integer := 0;
    first_seq bigint;                 -- HQ's last seq before this batch
    stop_kind text;                   -- the verdict of the row that ends the batch, if one does
    stop_seq bigint;
    stop_detail text;
    v_signature text;
    a_seq bigint[];                   -- the taken rows that carry a transaction
    a_basic text[];
    a_user integer[];
    a_rec jsonb[];
    last_taken bigint;                -- the last row taken, its hash
    last_taken_hash text;
    legacy bigint[];                  -- announcing rows without a transaction (hq_derive)
    legacy_details jsonb[];
    clockback bigint[];
    clockback_text text[];
    foreign_register text;            -- a taken row's transaction of another register
    foreign_seq bigint;
BEGIN
    IF jsonb_typeof(p_entries) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'ingest: the entries must be a JSON array' USING ERRCODE = '22023';
    END IF;
    IF jsonb_array_length(p_entries) > 5000 THEN
        RAISE EXCEPTION 'ingest: at most 5000 entries a call' USING ERRCODE = '22023';
    END IF;
    -- Only the register's own role; a stranger learns nothing, not even that it exists.
    PERFORM 1 FROM register WHERE register_id = p_register AND role = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'ingest: % may not push for register %', session_user, p_register
            USING ERRCODE = '42501';
    END IF;
    -- One push of a register at a time: a second sender waits here, then sees what the first
    -- committed and replays nothing twice.
    SELECT * INTO reg FROM register WHERE register_id = p_register FOR UPDATE;
    UPDATE register SET last_contact = now(), till_clock = COALESCE(p_till_clock, till_clock),
        till_head = COALESCE(p_till_head, till_head),
        clock_skew = CASE WHEN p_till_clock IS NULL THEN clock_skew ELSE p_till_clock - now() END
    WHERE register_id = p_register;
    IF p_till_clock IS NOT NULL AND abs(extract(epoch FROM p_till_clock - now())) > 300
       AND NOT EXISTS (SELECT 1 FROM alarm WHERE register_id = p_register AND kind = 'clock'
                       AND cleared_at IS NULL AND seq IS NULL) THEN
        INSERT INTO alarm (register_id, kind, detail)
        VALUES (p_register, 'clock', 'the till''s clock is off by ' || (p_till_clock - now()));
    END IF;
    IF p_till_clock IS NOT NULL AND abs(extract(epoch FROM p_till_clock - now())) <= 300 THEN
        -- back in step: the skew alarm is over (a clock that went back, seq set, stays)
        UPDATE alarm SET cleared_at = now(), cleared_by = 'ingest'
        WHERE register_id = p_register AND kind = 'clock' AND seq IS NULL AND cleared_at IS NULL;
    END IF;
    IF reg.forked THEN
        RETURN jsonb_build_object('status', 'fork', 'last_seq', reg.last_seq,
                                  'send_from', NULL, 'fork_seq', reg.fork_seq,
                                  'accepted', 0, 'replayed', 0);
    END IF;
    first_seq := reg.last_seq;

    -- raw, ordered and fields are read once each and no longer MATERIALIZED (0016, 3.)
    WITH raw AS (
        SELECT e.o, (e.v->>'seq')::bigint AS seq, e.v->>'hash' AS given,
               e.v->>'payload' AS payload, e.v->>'record' AS record
        FROM jsonb_array_elements(p_entries) WITH ORDINALITY AS e(v, o)
    ), parsed AS MATERIALIZED (
        SELECT r.*, encode(sha256(convert_to(r.payload, 'UTF8')), 'hex') AS hash,
               r.payload::jsonb AS f
        FROM raw r
    ), ordered AS (
        -- seq order (as 0007's loop went); each row beside the one before it
        SELECT p.*, row_number() OVER w AS pos,
               lag(p.seq) OVER w AS before_seq, lag(p.hash) OVER w AS before_hash,
               CASE WHEN p.seq <= first_seq THEN
                   (SELECT held.hash FROM entry held
                    WHERE held.register_id = p_register AND held.seq = p.seq)
               END AS held_hash
        FROM parsed p
        WINDOW w AS (ORDER BY p.seq, p.o)
    ), fields AS (
        SELECT o.*,
               -- what the row must follow if everything before it was taken
               CASE WHEN o.seq = first_seq + 1 THEN reg.last_hash ELSE o.before_hash END
                   AS follows,
               CASE WHEN jsonb_typeof(o.f) = 'array' AND jsonb_array_length(o.f) = 12
                         AND o.f->>5 IN ('SALE', 'RETURN', 'RETURNNORECEIPT', 'TRAINING')
                         AND o.f->>11 IS NOT NULL
                    THEN CASE WHEN COALESCE(o.f->>10, '') = '' THEN '{}'::jsonb
                              ELSE (o.f->>10)::jsonb END
               END AS details
        FROM ordered o
    ), judged AS MATERIALIZED (
        SELECT x.*,
            CASE
                WHEN x.seq IS NULL OR x.payload IS NULL THEN 'malformed'
                WHEN x.given IS DISTINCT FROM x.hash THEN 'hash'
                WHEN jsonb_typeof(x.f) IS DISTINCT FROM 'array' OR jsonb_array_length(x.f) <> 12
                     OR x.f->>1 IS DISTINCT FROM p_register
                     OR (x.f->>2)::bigint IS DISTINCT FROM x.seq THEN 'shape'
                -- HQ held this seq before the batch
                WHEN x.seq <= first_seq THEN
                    CASE WHEN x.held_hash = x.hash THEN 'replay' ELSE 'fork' END
                -- the same new seq twice in one batch: the twin right before it was taken
                WHEN x.before_seq = x.seq THEN
                    CASE WHEN x.before_hash = x.hash THEN 'replay' ELSE 'twin' END
                WHEN x.seq > GREATEST(COALESCE(x.before_seq, first_seq), first_seq) + 1
                    THEN 'gap'
                WHEN x.f->>0 IS DISTINCT FROM x.follows THEN 'chain'
                WHEN x.details ? 'content' AND (x.record IS NULL
                     OR encode(sha256(convert_to(x.record, 'UTF8')), 'hex')
                        <> x.details->>'content') THEN 'content'
                ELSE 'take'
            END AS verdict
        FROM fields x
    ), ended AS (
        SELECT min(j.pos) AS pos FROM judged j WHERE j.verdict NOT IN ('take', 'replay')
    ), kept AS MATERIALIZED (
        SELECT j.*, CASE WHEN j.verdict = 'take' AND j.details ? 'content'
                         THEN j.record::jsonb END AS rec
        FROM judged j, ended
        WHERE j.pos < COALESCE(ended.pos, j.pos + 1)
    ), refused AS (
        -- the batch is refused whole (an exception below): nothing is to be inserted
        SELECT 1 FROM judged j, ended
        WHERE j.pos = ended.pos AND j.verdict IN ('malformed', 'hash', 'shape', 'content')
        UNION ALL
        SELECT 1 FROM kept k
        WHERE k.rec IS NOT NULL AND k.rec->0->>0 IS DISTINCT FROM p_register
    ), stored AS (
        -- the taken rows go into entry in this same statement, straight from their parsed
        -- payloads (0011 gathered them into fourteen arrays, one sort each, to unnest again)
        INSERT INTO entry (register_id, seq, uuid, event_code, basic_id, user_number, utc,
                           local_date, local_time, text, sale_id, prev_hash, hash, payload,
                           record)
        SELECT p_register, k.seq, (k.f->>3)::uuid, k.f->>4, k.f->>5, (k.f->>6)::integer,
               k.f->>7, k.f->>8, k.f->>9, k.f->>10, (k.f->>11)::bigint, k.f->>0, k.hash,
               k.payload, CASE WHEN k.rec IS NOT NULL THEN k.record END
        FROM kept k
        WHERE k.verdict = 'take' AND NOT EXISTS (SELECT 1 FROM refused)
    )
    SELECT
        (SELECT j.verdict FROM judged j, ended WHERE j.pos = ended.pos),
        (SELECT j.seq FROM judged j, ended WHERE j.pos = ended.pos),
        (SELECT CASE j.verdict
                    WHEN 'fork' THEN 'HQ holds ' || COALESCE(j.held_hash, 'nothing')
                                     || ', the till sent ' || j.hash
                    WHEN 'twin' THEN 'HQ holds ' || COALESCE(j.before_hash, 'nothing')
                                     || ', the till sent ' || j.hash
                    WHEN 'chain' THEN 'entry ' || j.seq || ' follows ' || (j.f->>0)
                                      || ', HQ holds ' || j.follows
                END
         FROM judged j, ended WHERE j.pos = ended.pos),
        (SELECT count(*) FROM kept k WHERE k.verdict = 'replay'),
        (SELECT array_agg(k.seq ORDER BY k.pos) FROM kept k
         WHERE k.verdict = 'take' AND k.details IS NOT NULL AND NOT k.details ? 'content'),
        (SELECT array_agg(k.details ORDER BY k.pos) FROM kept k
         WHERE k.verdict = 'take' AND k.details IS NOT NULL AND NOT k.details ? 'content'),
        (SELECT array_agg(k.seq ORDER BY k.pos) FROM kept k
         WHERE k.verdict = 'take' AND k.f->>5 = 'CLOCKBACK'),
        (SELECT array_agg(k.f->>10 ORDER BY k.pos) FROM kept k
         WHERE k.verdict = 'take' AND k.f->>5 = 'CLOCKBACK'),
        (SELECT k.rec->0->>14 FROM kept k WHERE k.rec->0->>14 IS NOT NULL
         ORDER BY k.pos DESC LIMIT 1),
        (SELECT k.rec->0->>0 FROM kept k
         WHERE k.rec IS NOT NULL AND k.rec->0->>0 IS DISTINCT FROM p_register
         ORDER BY k.pos LIMIT 1),
        (SELECT k.seq FROM kept k
         WHERE k.rec IS NOT NULL AND k.rec->0->>0 IS DISTINCT FROM p_register
         ORDER BY k.pos LIMIT 1),
        count(*),
        (SELECT k.seq FROM kept k WHERE k.verdict = 'take' ORDER BY k.pos DESC LIMIT 1),
        (SELECT k.hash FROM kept k WHERE k.verdict = 'take' ORDER BY k.pos DESC LIMIT 1),
        array_agg(k.seq ORDER BY k.pos) FILTER (WHERE k.rec IS NOT NULL),
        array_agg(k.f->>5 ORDER BY k.pos) FILTER (WHERE k.rec IS NOT NULL),
        array_agg((k.f->>6)::integer ORDER BY k.pos) FILTER (WHERE k.rec IS NOT NULL),
        array_agg(k.rec ORDER BY k.pos) FILTER (WHERE k.rec IS NOT NULL)
    INTO stop_kind, stop_seq, stop_detail, replayed, legacy, legacy_details, clockback,
         clockback_text, v_signature, foreign_register, foreign_seq,
         accepted, last_taken, last_taken_hash, a_seq, a_basic, a_user, a_rec
    FROM kept k WHERE k.verdict = 'take';

    IF foreign_register IS NOT NULL THEN
        RAISE EXCEPTION 'entry % of register % carries a transaction of register %',
            foreign_seq, p_register, foreign_register USING ERRCODE = '22023';
    END IF;
    CASE stop_kind
        WHEN 'malformed' THEN
            RAISE EXCEPTION 'ingest: an entry without seq or payload' USING ERRCODE = '22023';
        WHEN 'hash' THEN
            RAISE EXCEPTION 'ingest: entry % of register % does not hash to its hash',
                stop_seq, p_register USING ERRCODE = '22023';
        WHEN 'shape' THEN
            RAISE EXCEPTION 'ingest: entry % is not a journal row of register %',
                stop_seq, p_register USING ERRCODE = '22023';
        WHEN 'content' THEN
            RAISE EXCEPTION 'ingest: entry % of register % comes without the transaction '
                'its content hash names', stop_seq, p_register USING ERRCODE = '22023';
        ELSE NULL;
    END CASE;
    FOR i IN 1 .. COALESCE(array_length(clockback, 1), 0) LOOP
        INSERT INTO alarm (register_id, kind, seq, detail)
        VALUES (p_register, 'clock', clockback[i],
                'the till''s clock went back: ' || clockback_text[i]);
    END LOOP;
    IF accepted > 0 THEN
        reg.last_seq := last_taken;
        reg.last_hash := last_taken_hash;
    END IF;
    IF stop_kind IN ('fork', 'twin', 'chain') THEN
        PERFORM hq_fork(p_register, stop_seq, stop_detail);
        v_status := 'fork';
    ELSIF stop_kind = 'gap' THEN
        IF NOT EXISTS (SELECT 1 FROM alarm WHERE register_id = p_register AND kind = 'gap'
                       AND seq = reg.last_seq + 1 AND cleared_at IS NULL) THEN
            INSERT INTO alarm (register_id, kind, seq, detail)
            VALUES (p_register, 'gap', reg.last_seq + 1,
                    'the till sent ' || stop_seq || ' before ' || (reg.last_seq + 1));
        END IF;
        v_status := 'gap';
    END IF;

    IF accepted > 0 THEN
        -- The transactions: sale (rec->0), lines (rec->1), payments (rec->2), as hq_derive
        -- reads them; training and pant move no stock.
        INSERT INTO sale (register_id, seq, shop_id, receipt_nr, uuid, kind, training,
                          user_number, total_ore, vat_ore, discount_ore, rounding_ore,
                          completed_utc, local_date, local_time, signature, key_version)
        SELECT p_register, u.seq, reg.shop_id, (s->>1)::bigint, (s->>2)::uuid, s->>5,
               (s->>16)::integer <> 0 OR u.basic = 'TRAINING', u.usr,
               (s->>6)::bigint, (s->>7)::bigint, (s->>8)::bigint, (s->>9)::bigint,
               s->>11, s->>12, s->>13, s->>14, s->>15
        FROM unnest(a_seq, a_basic, a_user, a_rec) AS u(seq, basic, usr, rec),
             LATERAL (SELECT u.rec->0 AS s) AS t
        WHERE u.rec IS NOT NULL;

        INSERT INTO sale_line
        SELECT p_register, u.seq, (ln->>0)::integer, ln->>2, ln->>3, ln->>4, (ln->>5)::bigint,
               (ln->>6)::bigint, (ln->>8)::bigint, (ln->>9)::bigint, (ln->>10)::integer,
               (ln->>11)::bigint
        FROM unnest(a_seq, a_rec) AS u(seq, rec), jsonb_array_elements(u.rec->1) AS l(ln)
        WHERE u.rec IS NOT NULL;

        INSERT INTO stock_delta
        SELECT p_register, u.seq, (ln->>0)::integer, reg.shop_id, ln->>2, -(ln->>5)::bigint,
               CASE WHEN (ln->>5)::bigint < 0 THEN 'return' ELSE 'sale' END
        FROM unnest(a_seq, a_basic, a_rec) AS u(seq, basic, rec),
             jsonb_array_elements(u.rec->1) AS l(ln)
        WHERE u.rec IS NOT NULL
          AND NOT ((u.rec->0->>16)::integer <> 0 OR u.basic = 'TRAINING')
          AND ln->>4 <> 'PANT';

        INSERT INTO sale_payment
        SELECT p_register, u.seq, p.n::integer, p.pay->>0, (p.pay->>1)::bigint
        FROM unnest(a_seq, a_rec) AS u(seq, rec),
             jsonb_array_elements(u.rec->2) WITH ORDINALITY AS p(pay, n)
        WHERE u.rec IS NOT NULL;

        FOR i IN 1 .. COALESCE(array_length(legacy, 1), 0) LOOP
            PERFORM hq_derive(p_register, reg.shop_id, legacy[i],
                              (SELECT en.basic_id FROM entry en
                               WHERE en.register_id = p_register AND en.seq = legacy[i]),
                              legacy_details[i], NULL);
        END LOOP;

        UPDATE register SET last_seq = reg.last_seq, last_hash = reg.last_hash,
            last_signature = COALESCE(v_signature, last_signature)
        WHERE register_id = p_register;
        UPDATE alarm SET cleared_at = now(), cleared_by = 'ingest'
        WHERE register_id = p_register AND kind = 'gap' AND cleared_at IS NULL
          AND seq <= reg.last_seq;
    END IF;
    RETURN jsonb_build_object(
        'status', v_status, 'last_seq', reg.last_seq,
        'send_from', CASE WHEN v_status = 'fork' THEN NULL ELSE reg.last_seq + 1 END,
        'fork_seq', CASE WHEN v_status = 'fork' THEN stop_seq END,
        'accepted', accepted, 'replayed', replayed);
END;
$$;
