-- ingest() takes a batch as four parallel arrays (issue 15: HQ's ingest ≥ 20 % of COPY, with a
-- margin). Until now a batch came as one JSON document, [{"seq", "hash", "payload", "record"},
-- …], so HQ parsed every payload twice: once escaped inside the batch's body (~1 ms of a 6 ms
-- batch of 500, before the function starts) and once more on its own (the rules need its
-- fields). Now the till sends seqs, hashes, payloads and records as arrays (binary, no
-- escaping): the body is not parsed at all, each payload once, as before.
--
-- Every rule is 0022's (and 0016's, 0011's, 0007's and 0001's before it), unchanged: the same
-- answers, exceptions, SQLSTATEs, alarms and rows stored. The function below is 0022's with its
-- signature, its first check (arrays of one length, one dimension, instead of "a JSON array"),
-- its first CTE (unnest instead of jsonb_array_elements) and the parse's fence (OFFSET 0
-- instead of a MATERIALIZED CTE: each payload still parsed once, the parses no longer copied
-- into a tuplestore first) changed, and one thing added before the general statement: a
-- clean continuation (see there) goes into entry through one streaming INSERT, skipping the
-- general statement's sort, window and stored copies; anything else, and any row of it that
-- does not fit, is ruled by the general statement as before. Shipped migrations are never
-- edited, so the function is repeated here whole. Measured: bench/README.md «0026».

-- ingest(text, jsonb, …) stays for tills not upgraded yet: it unpacks the JSON into the same
-- arrays and calls this one, so there is one set of rules. A till asks once a push which of
-- the two HQ has (a till newer than its HQ goes on with JSON).

-- Raised by a row that breaks a clean continuation (ingest's first attempt); never seen outside.
CREATE FUNCTION hq_unclean() RETURNS uuid
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    RAISE EXCEPTION 'ingest: not a clean continuation';
END;
$$;
REVOKE ALL ON FUNCTION hq_unclean() FROM PUBLIC;

CREATE FUNCTION ingest(p_register text, p_seqs bigint[], p_hashes text[],
                       p_payloads text[], p_records text[],
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
    last_taken bigint;                -- the last row taken
    legacy bigint[];                  -- announcing rows without a transaction (hq_derive)
    legacy_details jsonb[];
    clockback bigint[];
    clockback_text text[];
    foreign_register text;            -- a taken row's transaction of another register
    foreign_seq bigint;
    clean boolean := false;           -- the batch went in as a clean continuation (below)
BEGIN
    IF p_seqs IS NULL OR p_hashes IS NULL OR p_payloads IS NULL OR p_records IS NULL
       OR array_ndims(p_seqs) > 1 OR array_ndims(p_hashes) > 1
       OR array_ndims(p_payloads) > 1 OR array_ndims(p_records) > 1
       OR cardinality(p_hashes) <> cardinality(p_seqs)
       OR cardinality(p_payloads) <> cardinality(p_seqs)
       OR cardinality(p_records) <> cardinality(p_seqs) THEN
        RAISE EXCEPTION 'ingest: seqs, hashes, payloads and records must be lists of one length'
            USING ERRCODE = '22023';
    END IF;
    IF cardinality(p_seqs) > 5000 THEN
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

    -- A clean continuation: the batch as every push sends it but the rare one after a fault —
    -- HQ's next seqs in order, each row hashing to its hash, shaped as this register's journal
    -- row, following the row before it (the first: the hash HQ holds), a transaction's content
    -- with it where the row names one, of this register. Under the rules below every such row
    -- is taken; so its rows go straight into entry, one streaming INSERT, with no sort, no
    -- window and nothing stored on the way (the statement below stores every row three times).
    -- The first row that is not so stops it (hq_unclean raises; the block's savepoint undoes
    -- what it inserted) and the statement below rules on the whole batch as before: whatever
    -- the batch, the rows stored, the answer and the exceptions are the ones the rules give.
    -- (A session may have every batch ruled by the statement below, kassa.ingest_general = on:
    -- tests/hq/test_ingest_clean.py compares the two on every kind of batch.)
    IF cardinality(p_seqs) > 0 AND p_seqs[1] = first_seq + 1
       AND array_lower(p_seqs, 1) = 1 AND array_lower(p_hashes, 1) = 1
       AND array_lower(p_payloads, 1) = 1 AND array_lower(p_records, 1) = 1
       AND current_setting('kassa.ingest_general', true) IS DISTINCT FROM 'on' THEN
        BEGIN
            WITH fields AS (
                SELECT p.seq, p.payload, p.hash, p.o,
                       p.given IS NOT DISTINCT FROM p.hash
                       AND p.seq = first_seq + p.o
                       AND jsonb_typeof(p.f) = 'array' AND jsonb_array_length(p.f) = 12
                       AND p.f->>1 IS NOT DISTINCT FROM p_register
                       AND p.f->>0 IS NOT DISTINCT FROM p.follows AS fits,
                       p.f->>0 AS prev, p.f->>2 AS f_seq, p.f->>3 AS f_uuid,
                       p.f->>4 AS event_code, p.f->>5 AS basic, p.f->>6 AS f_user,
                       p.f->>7 AS utc, p.f->>8 AS local_date, p.f->>9 AS local_time,
                       p.f->>10 AS f_text, p.f->>11 AS f_sale,
                       -- a transaction's row naming its content (the rules' has_content)
                       CASE WHEN p.f->>5 IN ('SALE', 'RETURN', 'RETURNNORECEIPT', 'TRAINING')
                                 AND p.f->>11 IS NOT NULL AND COALESCE(p.f->>10, '') <> ''
                            THEN (p.f->>10)::jsonb END AS details,
                       p.record AS sent_record
                FROM (SELECT e.*, encode(sha256(convert_to(e.payload, 'UTF8')), 'hex') AS hash,
                             e.payload::jsonb AS f
                      FROM unnest(p_seqs, p_hashes, p_payloads, p_records,
                                  ARRAY[reg.last_hash]
                                  || p_hashes[1:cardinality(p_hashes) - 1])
                           WITH ORDINALITY AS e(seq, given, payload, record, follows, o)
                      OFFSET 0) p
                OFFSET 0  -- each row's details parsed once, not once a use
            ), named AS (
                SELECT x.*, COALESCE(x.details ? 'content', false) AS has_content,
                       x.details->>'content' AS content
                FROM fields x
            ), stored AS (
                INSERT INTO entry (register_id, seq, uuid, event_code, basic_id, user_number,
                                   utc, local_date, local_time, text, sale_id, prev_hash, hash,
                                   payload, record)
                SELECT p_register, x.seq,
                       CASE WHEN x.fits AND x.f_seq::bigint = x.seq
                                 AND (NOT x.has_content
                                      OR x.sent_record IS NOT NULL
                                         AND encode(sha256(convert_to(x.sent_record, 'UTF8')),
                                                    'hex') = x.content
                                         AND x.sent_record::jsonb->0->>0 = p_register)
                            THEN x.f_uuid::uuid ELSE hq_unclean() END,
                       x.event_code, x.basic, x.f_user::integer, x.utc, x.local_date,
                       x.local_time, x.f_text, x.f_sale::bigint, x.prev, x.hash, x.payload,
                       CASE WHEN x.has_content THEN x.sent_record END
                FROM named x
                RETURNING seq, basic_id, user_number, text, sale_id, record
            ), taken AS (
                SELECT t.*, t.record::jsonb AS rec FROM stored t OFFSET 0  -- parsed once
            )
            -- the outputs the statement below gives a batch it takes whole
            SELECT
                array_agg(k.seq ORDER BY k.seq)
                    FILTER (WHERE k.rec IS NULL AND k.sale_id IS NOT NULL
                            AND k.basic_id IN ('SALE', 'RETURN', 'RETURNNORECEIPT', 'TRAINING')),
                array_agg(CASE WHEN COALESCE(k.text, '') = '' THEN '{}'::jsonb
                               ELSE k.text::jsonb END ORDER BY k.seq)
                    FILTER (WHERE k.rec IS NULL AND k.sale_id IS NOT NULL
                            AND k.basic_id IN ('SALE', 'RETURN', 'RETURNNORECEIPT', 'TRAINING')),
                array_agg(k.seq ORDER BY k.seq) FILTER (WHERE k.basic_id = 'CLOCKBACK'),
                array_agg(k.text ORDER BY k.seq) FILTER (WHERE k.basic_id = 'CLOCKBACK'),
                (array_agg(k.rec->0->>14 ORDER BY k.seq DESC)
                    FILTER (WHERE k.rec->0->>14 IS NOT NULL))[1],
                count(*), max(k.seq),
                array_agg(k.seq ORDER BY k.seq) FILTER (WHERE k.rec IS NOT NULL),
                array_agg(k.basic_id ORDER BY k.seq) FILTER (WHERE k.rec IS NOT NULL),
                array_agg(k.user_number ORDER BY k.seq) FILTER (WHERE k.rec IS NOT NULL),
                array_agg(k.rec ORDER BY k.seq) FILTER (WHERE k.rec IS NOT NULL)
            INTO legacy, legacy_details, clockback, clockback_text, v_signature,
                 accepted, last_taken, a_seq, a_basic, a_user, a_rec
            FROM taken k;
            clean := true;
        EXCEPTION WHEN OTHERS THEN
            -- not a clean continuation (or a row entry refuses): the statement below rules
            legacy := NULL; legacy_details := NULL; clockback := NULL; clockback_text := NULL;
            v_signature := NULL; accepted := 0; last_taken := NULL;
            a_seq := NULL; a_basic := NULL; a_user := NULL; a_rec := NULL;
        END;
    END IF;
    IF clean THEN
        RAISE DEBUG 'ingest: % rows of register % taken as a clean continuation',
            accepted, p_register;
    ELSE
        -- Each payload is parsed once and its twelve fields read out of the parse once (fields),
        -- into plain columns; from there on only those columns travel, never the jsonb (0022).
        -- judged and kept are the only copies (each read several times); the outputs come from
        -- one pass over kept.
        WITH raw AS (
            SELECT e.o, e.seq, e.given, e.payload, e.record
            FROM unnest(p_seqs, p_hashes, p_payloads, p_records)
                 WITH ORDINALITY AS e(seq, given, payload, record, o)
        ), fields AS (
            SELECT p.o, p.seq, p.given, p.payload, p.record, p.hash,
                   jsonb_typeof(p.f) = 'array' AND jsonb_array_length(p.f) = 12 AS twelve,
                   p.f->>0 AS prev, p.f->>1 AS f_register, p.f->>2 AS f_seq, p.f->>3 AS f_uuid,
                   p.f->>4 AS event_code, p.f->>5 AS basic, p.f->>6 AS f_user, p.f->>7 AS utc,
                   p.f->>8 AS local_date, p.f->>9 AS local_time, p.f->>10 AS f_text,
                   p.f->>11 AS f_sale
            -- each payload hashed and parsed once: OFFSET 0 keeps the planner from inlining the
            -- parse into each of the twelve reads, without storing every parse in a tuplestore
            -- first as 0022's MATERIALIZED did
            FROM (SELECT r.*, encode(sha256(convert_to(r.payload, 'UTF8')), 'hex') AS hash,
                         r.payload::jsonb AS f
                  FROM raw r OFFSET 0) p
        ), detailed AS (
            SELECT d.*, d.details ? 'content' AS has_content, d.details->>'content' AS content
            FROM (SELECT x.*,
                         CASE WHEN x.twelve
                                   AND x.basic IN ('SALE', 'RETURN', 'RETURNNORECEIPT', 'TRAINING')
                                   AND x.f_sale IS NOT NULL
                              THEN CASE WHEN COALESCE(x.f_text, '') = '' THEN '{}'::jsonb
                                        ELSE x.f_text::jsonb END
                         END AS details
                  FROM fields x OFFSET 0) d
        ), ordered AS (
            -- seq order (as 0007's loop went); each row beside the one before it
            SELECT p.*, row_number() OVER w AS pos,
                   lag(p.seq) OVER w AS before_seq, lag(p.hash) OVER w AS before_hash,
                   CASE WHEN p.seq <= first_seq THEN
                       (SELECT held.hash FROM entry held
                        WHERE held.register_id = p_register AND held.seq = p.seq)
                   END AS held_hash
            FROM detailed p
            WINDOW w AS (ORDER BY p.seq, p.o)
        ), judged AS MATERIALIZED (
            SELECT x.pos, x.seq, x.hash, x.payload, x.record, x.prev, x.f_uuid, x.event_code,
                   x.basic, x.f_user, x.utc, x.local_date, x.local_time, x.f_text, x.f_sale,
                   x.held_hash, x.before_hash, x.has_content,
                   -- what the row must follow if everything before it was taken
                   CASE WHEN x.seq = first_seq + 1 THEN reg.last_hash ELSE x.before_hash END
                       AS follows,
                   CASE WHEN x.details IS NOT NULL AND NOT x.has_content THEN x.details END
                       AS legacy_details,
                CASE
                    WHEN x.seq IS NULL OR x.payload IS NULL THEN 'malformed'
                    WHEN x.given IS DISTINCT FROM x.hash THEN 'hash'
                    WHEN x.twelve IS NOT TRUE
                         OR x.f_register IS DISTINCT FROM p_register
                         OR x.f_seq::bigint IS DISTINCT FROM x.seq THEN 'shape'
                    -- HQ held this seq before the batch
                    WHEN x.seq <= first_seq THEN
                        CASE WHEN x.held_hash = x.hash THEN 'replay' ELSE 'fork' END
                    -- the same new seq twice in one batch: the twin right before it was taken
                    WHEN x.before_seq = x.seq THEN
                        CASE WHEN x.before_hash = x.hash THEN 'replay' ELSE 'twin' END
                    WHEN x.seq > GREATEST(COALESCE(x.before_seq, first_seq), first_seq) + 1
                        THEN 'gap'
                    WHEN x.prev IS DISTINCT FROM
                         CASE WHEN x.seq = first_seq + 1 THEN reg.last_hash ELSE x.before_hash END
                        THEN 'chain'
                    WHEN x.has_content AND (x.record IS NULL
                         OR encode(sha256(convert_to(x.record, 'UTF8')), 'hex')
                            <> x.content) THEN 'content'
                    ELSE 'take'
                END AS verdict
            FROM ordered x
        ), ended AS (
            SELECT min(j.pos) AS pos FROM judged j WHERE j.verdict NOT IN ('take', 'replay')
        ), kept AS MATERIALIZED (
            SELECT j.*, CASE WHEN j.verdict = 'take' AND j.has_content
                             THEN j.record::jsonb END AS rec
            FROM judged j, ended
            WHERE j.pos < COALESCE(ended.pos, j.pos + 1)
        ), stop AS (
            -- the row that ends the batch, if one does
            SELECT j.verdict, j.seq,
                   CASE j.verdict
                       WHEN 'fork' THEN 'HQ holds ' || COALESCE(j.held_hash, 'nothing')
                                        || ', the till sent ' || j.hash
                       WHEN 'twin' THEN 'HQ holds ' || COALESCE(j.before_hash, 'nothing')
                                        || ', the till sent ' || j.hash
                       WHEN 'chain' THEN 'entry ' || j.seq || ' follows ' || j.prev
                                         || ', HQ holds ' || j.follows
                   END AS detail
            FROM judged j, ended WHERE j.pos = ended.pos
        ), refused AS (
            -- the batch is refused whole (an exception below): nothing is to be inserted
            SELECT 1 FROM stop s WHERE s.verdict IN ('malformed', 'hash', 'shape', 'content')
            UNION ALL
            SELECT 1 FROM kept k
            WHERE k.rec IS NOT NULL AND k.rec->0->>0 IS DISTINCT FROM p_register
        ), stored AS (
            -- the taken rows go into entry in this same statement (0016), from their columns
            INSERT INTO entry (register_id, seq, uuid, event_code, basic_id, user_number, utc,
                               local_date, local_time, text, sale_id, prev_hash, hash, payload,
                               record)
            SELECT p_register, k.seq, k.f_uuid::uuid, k.event_code, k.basic, k.f_user::integer,
                   k.utc, k.local_date, k.local_time, k.f_text, k.f_sale::bigint, k.prev, k.hash,
                   k.payload, CASE WHEN k.rec IS NOT NULL THEN k.record END
            FROM kept k
            WHERE k.verdict = 'take' AND NOT EXISTS (SELECT 1 FROM refused)
        )
        -- every output in one pass over kept (0016 read it again for each, seventeen times)
        SELECT s.verdict, s.seq, s.detail, a.*
        INTO stop_kind, stop_seq, stop_detail, replayed, legacy, legacy_details, clockback,
             clockback_text, v_signature, foreign_register, foreign_seq,
             accepted, last_taken, a_seq, a_basic, a_user, a_rec
        FROM (
            SELECT
                count(*) FILTER (WHERE k.verdict = 'replay'),
                array_agg(k.seq ORDER BY k.pos)
                    FILTER (WHERE k.verdict = 'take' AND k.legacy_details IS NOT NULL),
                array_agg(k.legacy_details ORDER BY k.pos)
                    FILTER (WHERE k.verdict = 'take' AND k.legacy_details IS NOT NULL),
                array_agg(k.seq ORDER BY k.pos)
                    FILTER (WHERE k.verdict = 'take' AND k.basic = 'CLOCKBACK'),
                array_agg(k.f_text ORDER BY k.pos)
                    FILTER (WHERE k.verdict = 'take' AND k.basic = 'CLOCKBACK'),
                (array_agg(k.rec->0->>14 ORDER BY k.pos DESC)
                    FILTER (WHERE k.rec->0->>14 IS NOT NULL))[1],
                (array_agg(k.rec->0->>0 ORDER BY k.pos)
                    FILTER (WHERE k.rec IS NOT NULL
                            AND k.rec->0->>0 IS DISTINCT FROM p_register))[1],
                (array_agg(k.seq ORDER BY k.pos)
                    FILTER (WHERE k.rec IS NOT NULL
                            AND k.rec->0->>0 IS DISTINCT FROM p_register))[1],
                count(*) FILTER (WHERE k.verdict = 'take'),
                -- the taken rows' seqs rise by one with pos: the last taken is the highest
                max(k.seq) FILTER (WHERE k.verdict = 'take'),
                array_agg(k.seq ORDER BY k.pos) FILTER (WHERE k.rec IS NOT NULL),
                array_agg(k.basic ORDER BY k.pos) FILTER (WHERE k.rec IS NOT NULL),
                array_agg(k.f_user::integer ORDER BY k.pos) FILTER (WHERE k.rec IS NOT NULL),
                array_agg(k.rec ORDER BY k.pos) FILTER (WHERE k.rec IS NOT NULL)
            FROM kept k
        ) a LEFT JOIN stop s ON true;
    END IF;

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
        -- the last row taken, as stored by the statement above
        SELECT e.hash INTO reg.last_hash FROM entry e
        WHERE e.register_id = p_register AND e.seq = last_taken;
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

REVOKE ALL ON FUNCTION ingest(text, bigint[], text[], text[], text[], timestamptz, bigint)
    FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION ingest(text, bigint[], text[], text[], text[], '
                   'timestamptz, bigint) TO %I', hq_role('tills'));
END;
$$;

-- The JSON form, for a till that does not know the arrays yet: the same batch unpacked, then
-- the rules above. SECURITY DEFINER like it (session_user, which the rules check, stays the
-- caller's); an empty batch is four empty arrays (a till sends one to learn HQ's last seq).
CREATE OR REPLACE FUNCTION ingest(p_register text, p_entries jsonb,
                                  p_till_clock timestamptz DEFAULT NULL,
                                  p_till_head bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    seqs bigint[];
    hashes text[];
    payloads text[];
    records text[];
BEGIN
    IF jsonb_typeof(p_entries) IS DISTINCT FROM 'array' THEN
        RAISE EXCEPTION 'ingest: the entries must be a JSON array' USING ERRCODE = '22023';
    END IF;
    IF jsonb_array_length(p_entries) > 5000 THEN
        RAISE EXCEPTION 'ingest: at most 5000 entries a call' USING ERRCODE = '22023';
    END IF;
    SELECT COALESCE(array_agg((e.v->>'seq')::bigint ORDER BY e.o), '{}'),
           COALESCE(array_agg(e.v->>'hash' ORDER BY e.o), '{}'),
           COALESCE(array_agg(e.v->>'payload' ORDER BY e.o), '{}'),
           COALESCE(array_agg(e.v->>'record' ORDER BY e.o), '{}')
    INTO seqs, hashes, payloads, records
    FROM jsonb_array_elements(p_entries) WITH ORDINALITY AS e(v, o);
    RETURN ingest(p_register, seqs, hashes, payloads, records, p_till_clock, p_till_head);
END;
$$;
