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
-- Read-only, and found through an index of its own: entry_transfer_out, the transfer id of each
-- TRANSFEROUT row (as the till's journal writes it: `"transfer": "<uuid>"`, the text the till's
-- own Transfers.receive looks for), so a transfer is found as soon as the sender's push
-- committed, whether or not a report has derived stock_move (0009) since, at the cost of one
-- index lookup however long the journals are. The index is partial: other rows cost ingest
-- nothing but the predicate.

CREATE INDEX entry_transfer_out
    ON entry ((substring(text FROM '"transfer": "([0-9a-f-]{36})"')))
    WHERE basic_id = 'TRANSFEROUT';

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
        SELECT r.shop_id, e.local_date, d.details->>'to' AS peer_shop, e.seq, mv.nr,
               mv.line->>0 AS code, -(mv.line->>1)::bigint AS qty_milli, mv.line->>2 AS name
        FROM entry e
        JOIN register r ON r.register_id = e.register_id
        CROSS JOIN LATERAL (SELECT NULLIF(e.text, '')::jsonb AS details) d
        CROSS JOIN LATERAL jsonb_array_elements(COALESCE(d.details->'moves', '[]'::jsonb))
            WITH ORDINALITY AS mv(line, nr)
        WHERE e.basic_id = 'TRANSFEROUT'
          AND substring(e.text FROM '"transfer": "([0-9a-f-]{36})"') = p_transfer::text
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
