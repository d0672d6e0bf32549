-- The receiving till checks what arrives against what was sent (issue 15, stock transfers).
-- When a transfer note's id is scanned, the receiving till asks HQ what the sending till
-- journaled under that id (TRANSFEROUT: the shop it went to, the lines as `moves`), and compares
-- the lines scanned with them (kassa_tui.stock.transfer_check): a box short by two, or a
-- «receive» of goods that never left, is shown and needs a shift lead's approval.
--
-- transfer_sent(register, transfer): like ingest and register_shop, a register's role asks only
-- for its own register (anything else is an error). It answers only for a transfer whose
-- TRANSFEROUT names the caller's shop as where the goods went; an unknown id, one not yet
-- pushed, one meant for another shop, or one sent from the caller's own shop all answer NULL,
-- alike: the caller learns nothing else. Answer: {transfer, sender (the sending register's
-- shop), sent_on (the sender's local date), lines: [{code, qty_milli, name}]} with the codes
-- the sending till keys stock by (kassa_tui.stock.moves: its first barcode, else its PLU).
--
-- Read-only: stock_move (0009) holds what a report has already derived (indexed by transfer
-- id); rows pushed since (each register past its stock_move_rollup seq) are read from the
-- journal entries themselves, so a transfer is found as soon as the sender's push committed.

CREATE FUNCTION transfer_sent(p_register text, p_transfer uuid) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_shop text;
    v_answer jsonb;
BEGIN
    SELECT r.shop_id INTO v_shop FROM register r
     WHERE r.register_id = p_register AND r.role = session_user;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'transfer_sent: % may not ask for register %', session_user, p_register
            USING ERRCODE = '42501';
    END IF;
    WITH sent AS (
        -- derived by a report already (0009), and pushed since (past each register's rollup)
        SELECT m.shop_id, m.local_date, m.peer_shop, m.seq, m.line_nr::bigint AS nr, m.code,
               -m.delta_milli AS qty_milli, m.name
        FROM stock_move m
        WHERE m.transfer_id = p_transfer AND m.reason = 'transfer_out'
        UNION ALL
        SELECT r.shop_id, e.local_date, d.details->>'to', e.seq, mv.nr, mv.line->>0,
               -(mv.line->>1)::bigint, mv.line->>2
        FROM register r
        LEFT JOIN stock_move_rollup u USING (register_id)
        JOIN entry e ON e.register_id = r.register_id AND e.seq > COALESCE(u.last_seq, 0)
        CROSS JOIN LATERAL (SELECT NULLIF(e.text, '')::jsonb AS details) d
        CROSS JOIN LATERAL jsonb_array_elements(COALESCE(d.details->'moves', '[]'::jsonb))
            WITH ORDINALITY AS mv(line, nr)
        WHERE e.basic_id = 'TRANSFEROUT'
          AND strpos(e.text, p_transfer::text) > 0
          AND d.details->>'transfer' = p_transfer::text
    ), mine AS (  -- sent to the caller's shop, from another
        SELECT * FROM sent s WHERE lower(s.peer_shop) = lower(v_shop) AND s.shop_id <> v_shop
    ), per_code AS (
        SELECT s.code, sum(s.qty_milli) AS qty, min(s.name) AS name, min(s.seq) AS seq,
               min(s.nr) AS nr
        FROM mine s GROUP BY s.code
    )
    SELECT jsonb_build_object(
               'transfer', p_transfer::text,
               'sender', (SELECT min(shop_id) FROM mine),
               'sent_on', (SELECT min(local_date) FROM mine),
               'lines', jsonb_agg(jsonb_build_object('code', c.code, 'qty_milli', c.qty,
                                                     'name', c.name) ORDER BY c.seq, c.nr))
      INTO v_answer
    FROM per_code c
    HAVING count(*) > 0;
    RETURN v_answer;
END;
$$;
REVOKE ALL ON FUNCTION transfer_sent(text, uuid) FROM PUBLIC;
DO $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION transfer_sent(text, uuid) TO %I', hq_role('tills'));
END;
$$;
