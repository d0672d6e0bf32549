-- Stock moves that are not sales (issue 15): deliveries, counts, adjustments and transfers
-- between shops, derived from the journal rows the tills pushed. Each such row carries its stock
-- lines as `moves`: [[code, delta_milli, name], ...] (kassa_tui.stock.moves): a count arrives as
-- the adjustment the till computed, never as a level. A transfer is two moves with one transfer
-- id: TRANSFEROUT at the sending shop (negative, `to` the receiving shop), TRANSFERIN at the
-- receiving shop (positive, `sender` the sending shop); sent and not yet received is in
-- transit.
--
-- Like the day totals (0006), this is derived when a report asks (hq_stock_moves(), one at a
-- time), each register from the seq it had reached to the seq the register row says now; ingest
-- is not touched. Rows are keyed by where they came from: (register, seq, line).

CREATE TABLE stock_move (
    register_id text NOT NULL,
    seq bigint NOT NULL,
    line_nr integer NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    code text NOT NULL,
    name text NOT NULL,
    delta_milli bigint NOT NULL,
    reason text NOT NULL
        CHECK (reason IN ('delivery', 'count', 'adjust', 'transfer_out', 'transfer_in')),
    transfer_id uuid,
    peer_shop text,                          -- transfer_out: where to; transfer_in: where from
    local_date text NOT NULL,
    PRIMARY KEY (register_id, seq, line_nr),
    FOREIGN KEY (register_id, seq) REFERENCES entry (register_id, seq),
    CHECK ((transfer_id IS NOT NULL) = (reason IN ('transfer_out', 'transfer_in')))
);
CREATE INDEX stock_move_code ON stock_move (shop_id, code);
CREATE INDEX stock_move_transfer ON stock_move (transfer_id) WHERE transfer_id IS NOT NULL;
CREATE TRIGGER stock_move_append_only BEFORE UPDATE OR DELETE ON stock_move
    FOR EACH ROW EXECUTE FUNCTION hq_append_only();

CREATE TABLE stock_move_rollup (
    register_id text PRIMARY KEY REFERENCES register (register_id),
    last_seq bigint NOT NULL
);

CREATE FUNCTION hq_stock_moves() RETURNS bigint
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
    WHERE e.basic_id IN ('DELIVERY', 'STOCKTAKE', 'STOCKADJ', 'TRANSFEROUT', 'TRANSFERIN');

    INSERT INTO stock_move_rollup (register_id, last_seq)
    SELECT register_id, to_seq FROM stock_todo
    ON CONFLICT (register_id) DO UPDATE SET last_seq = excluded.last_seq;
    RETURN moved;
END;
$$;
REVOKE ALL ON FUNCTION hq_stock_moves() FROM PUBLIC;
