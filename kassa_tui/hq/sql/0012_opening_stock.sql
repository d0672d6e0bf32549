-- Opening stock journaled per product (issue 15): the levels a till starts from (the demo's, and
-- `kassa import stock`'s) are journaled as OPENINGSTOCK rows (13999) whose `moves` carry each
-- product's delta like a delivery's ([[code, delta_milli, name], ...], at most 500 a row), so
-- HQ's stock ledger sums to the till's own levels. hq_stock_moves() (0009) is replaced with the
-- same body and OPENINGSTOCK as reason 'opening'; the report's level is the sum of every
-- reason, so it counts them without a change to the report. Nothing else of 0009 changes.

ALTER TABLE stock_move DROP CONSTRAINT stock_move_reason_check;
ALTER TABLE stock_move ADD CONSTRAINT stock_move_reason_check
    CHECK (reason IN ('delivery', 'count', 'adjust', 'transfer_out', 'transfer_in', 'opening'));

CREATE OR REPLACE FUNCTION hq_stock_moves() RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    moved bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7021821096724);  -- one derivation at a time
    CREATE TEMP TABLE IF NOT EXISTS stock_todo (
        register_id text PRIMARY KEY, shop_id text NOT NULL,
        from_seq bigint NOT NULL, to_seq bigint NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM stock_todo;
    INSERT INTO stock_todo
    SELECT r.register_id, r.shop_id, COALESCE(u.last_seq, 0), r.last_seq
    FROM register r LEFT JOIN stock_move_rollup u USING (register_id)
    WHERE r.last_seq > COALESCE(u.last_seq, 0);
    SELECT count(*) INTO moved FROM stock_todo;
    IF moved = 0 THEN
        RETURN 0;
    END IF;

    INSERT INTO stock_move (register_id, seq, line_nr, shop_id, code, name, delta_milli, reason,
                            transfer_id, peer_shop, local_date)
    SELECT e.register_id, e.seq, m.nr::integer, t.shop_id, m.line->>0, m.line->>2,
           (m.line->>1)::bigint,
           CASE e.basic_id WHEN 'DELIVERY' THEN 'delivery' WHEN 'STOCKTAKE' THEN 'count'
                           WHEN 'STOCKADJ' THEN 'adjust' WHEN 'TRANSFEROUT' THEN 'transfer_out'
                           WHEN 'OPENINGSTOCK' THEN 'opening'
                           ELSE 'transfer_in' END,
           CASE WHEN e.basic_id IN ('TRANSFEROUT', 'TRANSFERIN')
                THEN (d.details->>'transfer')::uuid END,
           CASE e.basic_id WHEN 'TRANSFEROUT' THEN d.details->>'to'
                           WHEN 'TRANSFERIN' THEN d.details->>'sender' END,
           e.local_date
    FROM stock_todo t
    JOIN entry e ON e.register_id = t.register_id AND e.seq > t.from_seq AND e.seq <= t.to_seq
    CROSS JOIN LATERAL (SELECT NULLIF(e.text, '')::jsonb AS details) d
    CROSS JOIN LATERAL jsonb_array_elements(COALESCE(d.details->'moves', '[]'::jsonb))
        WITH ORDINALITY AS m(line, nr)
    WHERE e.basic_id IN ('DELIVERY', 'STOCKTAKE', 'STOCKADJ', 'TRANSFEROUT', 'TRANSFERIN',
                         'OPENINGSTOCK');

    INSERT INTO stock_move_rollup (register_id, last_seq)
    SELECT register_id, to_seq FROM stock_todo
    ON CONFLICT (register_id) DO UPDATE SET last_seq = excluded.last_seq;
    RETURN moved;
END;
$$;
REVOKE ALL ON FUNCTION hq_stock_moves() FROM PUBLIC;
