-- The tills' journals at the head office (issue 15; kassa_tui.hq, kassa_tui.sync.push).
--
-- Every register pushes its journal rows, in seq order, through ingest(): one SECURITY DEFINER
-- function, the only thing a register's role may call. The rules that keep every sale exactly
-- once live here, not in the tills: PRIMARY KEY (register_id, seq), the register's row locked
-- for the whole call, an identical replay skipped, a different row at a seq HQ already holds
-- refused as a fork (alarm; the register takes nothing more until a technician clears it), a
-- row after a gap refused with "send from last + 1". The till moves its cursor to the last_seq
-- ingest RETURNS, never to what it sent: a lost reply just means the same rows come again.
--
-- Roles: every role this database uses starts with its name (hq_role), so two HQ databases on
-- one server never share one. hq_role('tills') is the group every register's login role is in:
-- grant a till what it may do to that group (0002 grants the catalog to it).

CREATE FUNCTION hq_role(p_suffix text) RETURNS name
LANGUAGE sql STABLE AS $$ SELECT (current_database() || '_' || p_suffix)::name $$;

CREATE TABLE shop (
    shop_id text PRIMARY KEY CHECK (shop_id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,34}$'),
    name text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE register (
    register_id text PRIMARY KEY CHECK (length(register_id) BETWEEN 1 AND 35),
    shop_id text NOT NULL REFERENCES shop (shop_id),
    role name NOT NULL UNIQUE,                -- the login role that may push for it
    last_seq bigint NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    last_hash text NOT NULL DEFAULT repeat('0', 64),  -- the journal hash of last_seq
    last_signature text,                      -- the last transaction's SAF-T signature
    forked boolean NOT NULL DEFAULT false,
    fork_seq bigint,                          -- where the till's journal left HQ's
    last_contact timestamptz,
    till_clock timestamptz,                   -- the till's clock at its last contact
    till_head bigint,                         -- the till's last journal seq then (backlog)
    clock_skew interval,                      -- till_clock minus HQ's clock then
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One journal row of one register, exactly as the till holds it. `payload` is the text the
-- till's row hash covers ([prev_hash, register_id, seq, uuid, event_code, basic_id,
-- user_number, utc, local_date, local_time, text, sale_id] as compact JSON): sha256(payload)
-- = hash, checked on the way in. `record` is the transaction a SALE/RETURN/TRAINING row
-- announces (sale, lines, payments as compact JSON), whose sha256 is the row's "content".
CREATE TABLE entry (
    register_id text NOT NULL REFERENCES register (register_id),
    seq bigint NOT NULL CHECK (seq >= 1),
    uuid uuid NOT NULL UNIQUE,
    event_code text NOT NULL,
    basic_id text NOT NULL,
    user_number integer,
    utc text NOT NULL,
    local_date text NOT NULL,
    local_time text NOT NULL,
    text text NOT NULL,
    sale_id bigint,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    payload text NOT NULL,
    record text,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (register_id, seq)
);

CREATE TABLE alarm (
    id bigserial PRIMARY KEY,
    register_id text NOT NULL REFERENCES register (register_id),
    kind text NOT NULL CHECK (kind IN ('fork', 'gap', 'clock')),
    seq bigint,
    detail text NOT NULL DEFAULT '',
    raised_at timestamptz NOT NULL DEFAULT now(),
    cleared_at timestamptz,
    cleared_by text
);
CREATE INDEX alarm_open ON alarm (register_id, kind) WHERE cleared_at IS NULL;

-- Derived from the entries, in the same transaction: one row per transaction for reports,
-- its lines and payments, and the stock each line moved, keyed by where it came from.
CREATE TABLE sale (
    register_id text NOT NULL,
    seq bigint NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    receipt_nr bigint NOT NULL,
    uuid uuid,
    kind text NOT NULL,                      -- sale, return
    training boolean NOT NULL,
    user_number integer,
    total_ore bigint NOT NULL,
    vat_ore bigint NOT NULL,
    discount_ore bigint NOT NULL DEFAULT 0,
    rounding_ore bigint NOT NULL DEFAULT 0,
    completed_utc text NOT NULL,
    local_date text NOT NULL,
    local_time text NOT NULL,
    signature text,
    key_version text,
    PRIMARY KEY (register_id, seq),
    FOREIGN KEY (register_id, seq) REFERENCES entry (register_id, seq)
);
CREATE INDEX sale_day ON sale (local_date, shop_id);

CREATE TABLE sale_line (
    register_id text NOT NULL,
    seq bigint NOT NULL,
    line_nr integer NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    group_code text NOT NULL,
    qty_milli bigint NOT NULL,
    unit_price_ore bigint NOT NULL,
    discount_ore bigint NOT NULL,
    amount_ore bigint NOT NULL,
    vat_bp integer NOT NULL,
    vat_ore bigint NOT NULL,
    PRIMARY KEY (register_id, seq, line_nr),
    FOREIGN KEY (register_id, seq) REFERENCES sale (register_id, seq)
);

CREATE TABLE sale_payment (
    register_id text NOT NULL,
    seq bigint NOT NULL,
    n integer NOT NULL,
    method text NOT NULL,
    amount_ore bigint NOT NULL,
    PRIMARY KEY (register_id, seq, n),
    FOREIGN KEY (register_id, seq) REFERENCES sale (register_id, seq)
);

CREATE TABLE stock_delta (
    register_id text NOT NULL,
    seq bigint NOT NULL,
    line_nr integer NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    code text NOT NULL,
    delta_milli bigint NOT NULL,
    reason text NOT NULL,                    -- sale, return
    PRIMARY KEY (register_id, seq, line_nr),
    FOREIGN KEY (register_id, seq, line_nr) REFERENCES sale_line (register_id, seq, line_nr)
);
CREATE INDEX stock_delta_code ON stock_delta (shop_id, code);

-- What came from a till is never changed or deleted.
CREATE FUNCTION hq_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'what the tills sent is append-only (%: %)', TG_TABLE_NAME, TG_OP;
END;
$$;
CREATE TRIGGER entry_append_only BEFORE UPDATE OR DELETE ON entry
    FOR EACH ROW EXECUTE FUNCTION hq_append_only();
CREATE TRIGGER entry_no_truncate BEFORE TRUNCATE ON entry
    FOR EACH STATEMENT EXECUTE FUNCTION hq_append_only();
CREATE TRIGGER sale_append_only BEFORE UPDATE OR DELETE ON sale
    FOR EACH ROW EXECUTE FUNCTION hq_append_only();
CREATE TRIGGER sale_line_append_only BEFORE UPDATE OR DELETE ON sale_line
    FOR EACH ROW EXECUTE FUNCTION hq_append_only();
CREATE TRIGGER sale_payment_append_only BEFORE UPDATE OR DELETE ON sale_payment
    FOR EACH ROW EXECUTE FUNCTION hq_append_only();
CREATE TRIGGER stock_delta_append_only BEFORE UPDATE OR DELETE ON stock_delta
    FOR EACH ROW EXECUTE FUNCTION hq_append_only();

-- The transaction an announcing row carries: sales rows and stock deltas.
CREATE FUNCTION hq_derive(p_register text, p_shop text, p_seq bigint, p_basic text,
                          p_details jsonb, p_record text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    rec jsonb;
    s jsonb;
    ln jsonb;
    pay jsonb;
    n integer := 0;
    is_training boolean;
BEGIN
    IF p_record IS NULL THEN
        -- A row from before the content hash: its own details are all there is.
        INSERT INTO sale (register_id, seq, shop_id, receipt_nr, kind, training, user_number,
                          total_ore, vat_ore, rounding_ore, completed_utc, local_date, local_time)
        SELECT p_register, p_seq, p_shop, (p_details->>'nr')::bigint,
               CASE WHEN p_basic LIKE 'RETURN%' THEN 'return' ELSE 'sale' END,
               p_basic = 'TRAINING', e.user_number, (p_details->>'total')::bigint,
               COALESCE((p_details->>'vat')::bigint, 0),
               COALESCE((p_details->>'rounding')::bigint, 0), e.utc, e.local_date, e.local_time
        FROM entry e WHERE e.register_id = p_register AND e.seq = p_seq;
        FOR pay IN SELECT value FROM jsonb_array_elements(COALESCE(p_details->'payments', '[]'))
        LOOP
            n := n + 1;
            INSERT INTO sale_payment VALUES (p_register, p_seq, n, pay->>0, (pay->>1)::bigint);
        END LOOP;
        RETURN;
    END IF;
    rec := p_record::jsonb;
    s := rec->0;
    -- sale: register_id, receipt_nr, uuid, basket_uuid, user_id, kind, total_ore, vat_ore,
    -- discount_ore, rounding_ore, change_ore, completed_utc, local_date, local_time, signature,
    -- key_version, training, original_sale_id, reason, approved_by
    IF s->>0 IS DISTINCT FROM p_register THEN
        RAISE EXCEPTION 'entry % of register % carries a transaction of register %',
            p_seq, p_register, s->>0 USING ERRCODE = '22023';
    END IF;
    is_training := (s->>16)::integer <> 0 OR p_basic = 'TRAINING';
    INSERT INTO sale (register_id, seq, shop_id, receipt_nr, uuid, kind, training, user_number,
                      total_ore, vat_ore, discount_ore, rounding_ore, completed_utc, local_date,
                      local_time, signature, key_version)
    SELECT p_register, p_seq, p_shop, (s->>1)::bigint, (s->>2)::uuid, s->>5, is_training,
           e.user_number, (s->>6)::bigint, (s->>7)::bigint, (s->>8)::bigint, (s->>9)::bigint,
           s->>11, s->>12, s->>13, s->>14, s->>15
    FROM entry e WHERE e.register_id = p_register AND e.seq = p_seq;
    -- lines: line_nr, product_id, code, name, group_code, qty_milli, unit_price_ore,
    -- list_price_ore, discount_ore, amount_ore, vat_bp, vat_ore, price_overridden
    FOR ln IN SELECT value FROM jsonb_array_elements(rec->1) LOOP
        INSERT INTO sale_line VALUES (p_register, p_seq, (ln->>0)::integer, ln->>2, ln->>3,
            ln->>4, (ln->>5)::bigint, (ln->>6)::bigint, (ln->>8)::bigint, (ln->>9)::bigint,
            (ln->>10)::integer, (ln->>11)::bigint);
        IF NOT is_training AND ln->>4 <> 'PANT' THEN  -- training and pant move no stock
            INSERT INTO stock_delta VALUES (p_register, p_seq, (ln->>0)::integer, p_shop,
                ln->>2, -(ln->>5)::bigint,
                CASE WHEN (ln->>5)::bigint < 0 THEN 'return' ELSE 'sale' END);
        END IF;
    END LOOP;
    -- payments: method, amount_ore, tendered_ore
    FOR pay IN SELECT value FROM jsonb_array_elements(rec->2) LOOP
        n := n + 1;
        INSERT INTO sale_payment VALUES (p_register, p_seq, n, pay->>0, (pay->>1)::bigint);
    END LOOP;
END;
$$;

CREATE FUNCTION hq_fork(p_register text, p_seq bigint, p_detail text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    UPDATE register SET forked = true, fork_seq = p_seq WHERE register_id = p_register;
    INSERT INTO alarm (register_id, kind, seq, detail) VALUES (p_register, 'fork', p_seq, p_detail);
END;
$$;

-- Take a batch of one register's journal rows: [{seq, hash, payload, record}, ...].
-- Answers {status: ok|gap|fork, last_seq, send_from, accepted, replayed}.
CREATE FUNCTION ingest(p_register text, p_entries jsonb, p_till_clock timestamptz DEFAULT NULL,
                       p_till_head bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    reg register%ROWTYPE;
    e jsonb;
    f jsonb;
    details jsonb;
    v_seq bigint;
    v_payload text;
    v_hash text;
    v_record text;
    held text;
    v_status text := 'ok';
    accepted integer := 0;
    replayed integer := 0;
    v_signature text;
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
    FOR e IN SELECT value FROM jsonb_array_elements(p_entries)
             ORDER BY (value->>'seq')::bigint LOOP
        v_seq := (e->>'seq')::bigint;
        v_payload := e->>'payload';
        IF v_seq IS NULL OR v_payload IS NULL THEN
            RAISE EXCEPTION 'ingest: an entry without seq or payload' USING ERRCODE = '22023';
        END IF;
        v_hash := encode(sha256(convert_to(v_payload, 'UTF8')), 'hex');
        IF e->>'hash' IS DISTINCT FROM v_hash THEN
            RAISE EXCEPTION 'ingest: entry % of register % does not hash to its hash',
                v_seq, p_register USING ERRCODE = '22023';
        END IF;
        f := v_payload::jsonb;
        IF jsonb_typeof(f) IS DISTINCT FROM 'array' OR jsonb_array_length(f) <> 12
           OR f->>1 IS DISTINCT FROM p_register OR (f->>2)::bigint IS DISTINCT FROM v_seq THEN
            RAISE EXCEPTION 'ingest: entry % is not a journal row of register %',
                v_seq, p_register USING ERRCODE = '22023';
        END IF;
        IF v_seq <= reg.last_seq THEN
            SELECT hash INTO held FROM entry WHERE register_id = p_register AND seq = v_seq;
            IF held = v_hash THEN
                replayed := replayed + 1;   -- an identical replay: already here
                CONTINUE;
            END IF;
            PERFORM hq_fork(p_register, v_seq,
                'HQ holds ' || COALESCE(held, 'nothing') || ', the till sent ' || v_hash);
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
        details := CASE WHEN COALESCE(f->>10, '') = '' THEN '{}'::jsonb ELSE (f->>10)::jsonb END;
        v_record := e->>'record';
        IF f->>5 IN ('SALE', 'RETURN', 'RETURNNORECEIPT', 'TRAINING') AND f->>11 IS NOT NULL THEN
            IF details ? 'content' AND (v_record IS NULL OR
                    encode(sha256(convert_to(v_record, 'UTF8')), 'hex') <> details->>'content') THEN
                RAISE EXCEPTION 'ingest: entry % of register % comes without the transaction its '
                    'content hash names', v_seq, p_register USING ERRCODE = '22023';
            END IF;
            IF NOT details ? 'content' THEN
                v_record := NULL;
            END IF;
        ELSE
            v_record := NULL;
        END IF;
        INSERT INTO entry (register_id, seq, uuid, event_code, basic_id, user_number, utc,
                           local_date, local_time, text, sale_id, prev_hash, hash, payload, record)
        VALUES (p_register, v_seq, (f->>3)::uuid, f->>4, f->>5, (f->>6)::integer, f->>7, f->>8,
                f->>9, f->>10, (f->>11)::bigint, f->>0, v_hash, v_payload, v_record);
        IF f->>5 IN ('SALE', 'RETURN', 'RETURNNORECEIPT', 'TRAINING') AND f->>11 IS NOT NULL THEN
            PERFORM hq_derive(p_register, reg.shop_id, v_seq, f->>5, details, v_record);
            IF v_record IS NOT NULL THEN
                v_signature := COALESCE((v_record::jsonb)->0->>14, v_signature);
            END IF;
        END IF;
        IF f->>5 = 'CLOCKBACK' THEN
            INSERT INTO alarm (register_id, kind, seq, detail)
            VALUES (p_register, 'clock', v_seq, 'the till''s clock went back: ' || (f->>10));
        END IF;
        reg.last_seq := v_seq;
        reg.last_hash := v_hash;
        accepted := accepted + 1;
    END LOOP;
    IF accepted > 0 THEN
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

REVOKE ALL ON FUNCTION ingest(text, jsonb, timestamptz, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION hq_derive(text, text, bigint, text, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION hq_fork(text, bigint, text) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION ingest(text, jsonb, timestamptz, bigint) TO %I',
                   hq_role('tills'));
END;
$$;
