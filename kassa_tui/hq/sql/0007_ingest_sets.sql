-- ingest() set-based (issue 15: the ingest rate). The rules are 0001's, unchanged: the caller
-- owns the register, its row is locked for the call, every row hashes to its hash and follows
-- the hash HQ holds before it, an identical replay is skipped, a different row at a seq HQ holds
-- is a fork (alarm, nothing more accepted), a row after a gap answers "send from last + 1", a
-- transaction must be the one its row's content hash names.
--
-- What changed is how the rows are written. 0001 ran an INSERT per journal row, and per sale a
-- call of hq_derive with an INSERT per line, per stock delta and per payment: ~80 µs a row, most
-- of it statement overhead. Now the batch is ruled on row by row in plpgsql variables only (no
-- SQL statement a row: the hashes HQ holds for replayed seqs are read in one query first), the
-- rows it takes are collected in arrays, and each table gets ONE INSERT … SELECT from them per
-- batch: entry, sale, sale_line, stock_delta, sale_payment. A row from before the content hash
-- (no transaction with it) still goes through hq_derive, one at a time: tills no longer write
-- them.

CREATE OR REPLACE FUNCTION ingest(p_register text, p_entries jsonb,
                                  p_till_clock timestamptz DEFAULT NULL,
                                  p_till_head bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    reg register%ROWTYPE;
    x record;
    f jsonb;
    details jsonb;
    rec jsonb;
    held jsonb;
    held_hash text;
    v_seq bigint;
    v_hash text;
    v_record text;
    v_status text := 'ok';
    accepted integer := 0;
    replayed integer := 0;
    v_signature text;
    first_seq bigint;                 -- HQ's last seq before this batch
    -- the rows taken, in seq order
    a_seq bigint[] := '{}';
    a_f jsonb[] := '{}';
    a_hash text[] := '{}';
    a_payload text[] := '{}';
    a_record text[] := '{}';
    a_rec jsonb[] := '{}';
    legacy bigint[] := '{}';          -- announcing rows without a transaction (hq_derive)
    legacy_details jsonb[] := '{}';
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
    -- The hashes HQ holds for the seqs this batch sends again (a replay, or a fork): one query.
    SELECT COALESCE(jsonb_object_agg(en.seq::text, en.hash), '{}') INTO held
    FROM entry en
    WHERE en.register_id = p_register AND en.seq <= reg.last_seq
      AND en.seq IN (SELECT (value->>'seq')::bigint FROM jsonb_array_elements(p_entries));

    FOR x IN SELECT value->>'seq' AS seq_text, value->>'hash' AS given,
                    value->>'payload' AS payload, value->>'record' AS record
             FROM jsonb_array_elements(p_entries)
             ORDER BY (value->>'seq')::bigint LOOP
        v_seq := x.seq_text::bigint;
        IF v_seq IS NULL OR x.payload IS NULL THEN
            RAISE EXCEPTION 'ingest: an entry without seq or payload' USING ERRCODE = '22023';
        END IF;
        v_hash := encode(sha256(convert_to(x.payload, 'UTF8')), 'hex');
        IF x.given IS DISTINCT FROM v_hash THEN
            RAISE EXCEPTION 'ingest: entry % of register % does not hash to its hash',
                v_seq, p_register USING ERRCODE = '22023';
        END IF;
        f := x.payload::jsonb;
        IF jsonb_typeof(f) IS DISTINCT FROM 'array' OR jsonb_array_length(f) <> 12
           OR f->>1 IS DISTINCT FROM p_register OR (f->>2)::bigint IS DISTINCT FROM v_seq THEN
            RAISE EXCEPTION 'ingest: entry % is not a journal row of register %',
                v_seq, p_register USING ERRCODE = '22023';
        END IF;
        IF v_seq <= reg.last_seq THEN
            -- HQ holds this seq: from before the batch, or taken earlier in it (the same seq
            -- twice in one batch: seq order puts the twin right before it)
            held_hash := CASE WHEN v_seq > first_seq THEN reg.last_hash
                              ELSE held->>(v_seq::text) END;
            IF held_hash = v_hash THEN
                replayed := replayed + 1;   -- an identical replay: already here
                CONTINUE;
            END IF;
            PERFORM hq_fork(p_register, v_seq,
                'HQ holds ' || COALESCE(held_hash, 'nothing') || ', the till sent ' || v_hash);
            v_status := 'fork';
            EXIT;
        END IF;
        IF v_seq > reg.last_seq + 1 THEN
            IF NOT EXISTS (SELECT 1 FROM alarm WHERE register_id = p_register AND kind = 'gap'
                           AND seq = reg.last_seq + 1 AND cleared_at IS NULL) THEN
                INSERT INTO alarm (register_id, kind, seq, detail)
                VALUES (p_register, 'gap', reg.last_seq + 1,
                        'the till sent ' || v_seq || ' before ' || (reg.last_seq + 1));
            END IF;
            v_status := 'gap';
            EXIT;
        END IF;
        IF f->>0 IS DISTINCT FROM reg.last_hash THEN
            -- The next seq, but not over the row HQ holds before it: another history.
            PERFORM hq_fork(p_register, v_seq,
                'entry ' || v_seq || ' follows ' || (f->>0) || ', HQ holds ' || reg.last_hash);
            v_status := 'fork';
            EXIT;
        END IF;
        v_record := NULL;
        rec := NULL;
        IF f->>5 IN ('SALE', 'RETURN', 'RETURNNORECEIPT', 'TRAINING') AND f->>11 IS NOT NULL THEN
            details := CASE WHEN COALESCE(f->>10, '') = '' THEN '{}'::jsonb
                            ELSE (f->>10)::jsonb END;
            IF details ? 'content' THEN
                v_record := x.record;
                IF v_record IS NULL OR encode(sha256(convert_to(v_record, 'UTF8')), 'hex')
                        <> details->>'content' THEN
                    RAISE EXCEPTION 'ingest: entry % of register % comes without the transaction '
                        'its content hash names', v_seq, p_register USING ERRCODE = '22023';
                END IF;
                rec := v_record::jsonb;
                IF rec->0->>0 IS DISTINCT FROM p_register THEN
                    RAISE EXCEPTION 'entry % of register % carries a transaction of register %',
                        v_seq, p_register, rec->0->>0 USING ERRCODE = '22023';
                END IF;
                v_signature := COALESCE(rec->0->>14, v_signature);
            ELSE
                legacy := array_append(legacy, v_seq);
                legacy_details := array_append(legacy_details, details);
            END IF;
        END IF;
        IF f->>5 = 'CLOCKBACK' THEN
            INSERT INTO alarm (register_id, kind, seq, detail)
            VALUES (p_register, 'clock', v_seq, 'the till''s clock went back: ' || (f->>10));
        END IF;
        accepted := accepted + 1;
        a_seq[accepted] := v_seq;
        a_f[accepted] := f;
        a_hash[accepted] := v_hash;
        a_payload[accepted] := x.payload;
        a_record[accepted] := v_record;
        a_rec[accepted] := rec;
        reg.last_seq := v_seq;
        reg.last_hash := v_hash;
    END LOOP;

    IF accepted > 0 THEN
        INSERT INTO entry (register_id, seq, uuid, event_code, basic_id, user_number, utc,
                           local_date, local_time, text, sale_id, prev_hash, hash, payload, record)
        SELECT p_register, u.seq, (u.f->>3)::uuid, u.f->>4, u.f->>5, (u.f->>6)::integer,
               u.f->>7, u.f->>8, u.f->>9, u.f->>10, (u.f->>11)::bigint, u.f->>0, u.hash,
               u.payload, u.record
        FROM unnest(a_seq, a_f, a_hash, a_payload, a_record) AS u(seq, f, hash, payload, record);

        -- The transactions: sale (rec->0), lines (rec->1), payments (rec->2), as hq_derive
        -- reads them; training and pant move no stock.
        INSERT INTO sale (register_id, seq, shop_id, receipt_nr, uuid, kind, training,
                          user_number, total_ore, vat_ore, discount_ore, rounding_ore,
                          completed_utc, local_date, local_time, signature, key_version)
        SELECT p_register, u.seq, reg.shop_id, (s->>1)::bigint, (s->>2)::uuid, s->>5,
               (s->>16)::integer <> 0 OR u.f->>5 = 'TRAINING', (u.f->>6)::integer,
               (s->>6)::bigint, (s->>7)::bigint, (s->>8)::bigint, (s->>9)::bigint,
               s->>11, s->>12, s->>13, s->>14, s->>15
        FROM unnest(a_seq, a_f, a_rec) AS u(seq, f, rec), LATERAL (SELECT u.rec->0 AS s) AS t
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
        FROM unnest(a_seq, a_f, a_rec) AS u(seq, f, rec), jsonb_array_elements(u.rec->1) AS l(ln)
        WHERE u.rec IS NOT NULL
          AND NOT ((u.rec->0->>16)::integer <> 0 OR u.f->>5 = 'TRAINING')
          AND ln->>4 <> 'PANT';

        INSERT INTO sale_payment
        SELECT p_register, u.seq, p.n::integer, p.pay->>0, (p.pay->>1)::bigint
        FROM unnest(a_seq, a_rec) AS u(seq, rec),
             jsonb_array_elements(u.rec->2) WITH ORDINALITY AS p(pay, n)
        WHERE u.rec IS NOT NULL;

        FOR i IN 1 .. coalesce(array_length(legacy, 1), 0) LOOP
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
        'fork_seq', CASE WHEN v_status = 'fork' THEN v_seq END,
        'accepted', accepted, 'replayed', replayed);
END;
$$;
