-- Day totals for `kassa hq report` (kassa_tui.hq.report), so a report over months of many
-- shops reads thousands of rows, not millions. They are rolled up from what ingest derived
-- (sale, sale_line, stock_delta) by hq_rollup(), which every report calls first: one rollup
-- at a time (an advisory lock), each register from the seq it had reached to the seq the
-- register row says now (everything up to it is committed). Ingest is not touched, so pushing
-- tills never wait on a total; a report sees every entry HQ held when it started.

CREATE TABLE report_rollup (
    register_id text PRIMARY KEY REFERENCES register (register_id),
    last_seq bigint NOT NULL
);

CREATE TABLE sales_day (
    local_date text NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    receipts bigint NOT NULL,
    returns bigint NOT NULL,
    total_ore bigint NOT NULL,
    vat_ore bigint NOT NULL,
    PRIMARY KEY (local_date, shop_id)
);

CREATE TABLE product_day (
    local_date text NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    code text NOT NULL,
    name text NOT NULL,
    group_code text NOT NULL,
    qty_milli bigint NOT NULL,
    amount_ore bigint NOT NULL,
    PRIMARY KEY (local_date, shop_id, code)
);

CREATE TABLE stock_day (
    shop_id text NOT NULL REFERENCES shop (shop_id),
    code text NOT NULL,
    local_date text NOT NULL,
    name text NOT NULL,
    delta_milli bigint NOT NULL,
    PRIMARY KEY (shop_id, code, local_date)
);

-- The level now: the sum of every delta, kept beside the days so that a stock report reads
-- only the days from its first one on (the level at --to is the level now less what moved
-- after --to).
CREATE TABLE stock_level (
    shop_id text NOT NULL REFERENCES shop (shop_id),
    code text NOT NULL,
    name text NOT NULL,
    level_milli bigint NOT NULL,
    PRIMARY KEY (shop_id, code)
);
CREATE INDEX stock_day_date ON stock_day (local_date);

CREATE FUNCTION hq_rollup() RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    moved bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7021821096723);  -- one rollup at a time
    CREATE TEMP TABLE IF NOT EXISTS rollup_todo (
        register_id text PRIMARY KEY, from_seq bigint NOT NULL, to_seq bigint NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM rollup_todo;
    INSERT INTO rollup_todo
    SELECT r.register_id, COALESCE(u.last_seq, 0), r.last_seq
    FROM register r LEFT JOIN report_rollup u USING (register_id)
    WHERE r.last_seq > COALESCE(u.last_seq, 0);
    SELECT count(*) INTO moved FROM rollup_todo;
    IF moved = 0 THEN
        RETURN 0;
    END IF;

    INSERT INTO sales_day AS d
    SELECT s.local_date, s.shop_id,
           count(*) FILTER (WHERE s.kind = 'sale'), count(*) FILTER (WHERE s.kind = 'return'),
           sum(s.total_ore), sum(s.vat_ore)
    FROM rollup_todo t JOIN sale s
      ON s.register_id = t.register_id AND s.seq > t.from_seq AND s.seq <= t.to_seq
    WHERE NOT s.training
    GROUP BY s.local_date, s.shop_id
    ON CONFLICT (local_date, shop_id) DO UPDATE SET
        receipts = d.receipts + excluded.receipts, returns = d.returns + excluded.returns,
        total_ore = d.total_ore + excluded.total_ore, vat_ore = d.vat_ore + excluded.vat_ore;

    INSERT INTO product_day AS d
    SELECT s.local_date, s.shop_id, l.code, max(l.name), max(l.group_code),
           sum(l.qty_milli), sum(l.amount_ore)
    FROM rollup_todo t JOIN sale s
      ON s.register_id = t.register_id AND s.seq > t.from_seq AND s.seq <= t.to_seq
    JOIN sale_line l ON l.register_id = s.register_id AND l.seq = s.seq
    WHERE NOT s.training
    GROUP BY s.local_date, s.shop_id, l.code
    ON CONFLICT (local_date, shop_id, code) DO UPDATE SET
        name = excluded.name, group_code = excluded.group_code,
        qty_milli = d.qty_milli + excluded.qty_milli,
        amount_ore = d.amount_ore + excluded.amount_ore;

    INSERT INTO stock_day AS d
    SELECT k.shop_id, k.code, s.local_date, max(l.name), sum(k.delta_milli)
    FROM rollup_todo t JOIN stock_delta k
      ON k.register_id = t.register_id AND k.seq > t.from_seq AND k.seq <= t.to_seq
    JOIN sale s ON s.register_id = k.register_id AND s.seq = k.seq
    JOIN sale_line l ON l.register_id = k.register_id AND l.seq = k.seq AND l.line_nr = k.line_nr
    GROUP BY k.shop_id, k.code, s.local_date
    ON CONFLICT (shop_id, code, local_date) DO UPDATE SET
        name = excluded.name, delta_milli = d.delta_milli + excluded.delta_milli;

    INSERT INTO stock_level AS v
    SELECT k.shop_id, k.code, max(l.name), sum(k.delta_milli)
    FROM rollup_todo t JOIN stock_delta k
      ON k.register_id = t.register_id AND k.seq > t.from_seq AND k.seq <= t.to_seq
    JOIN sale_line l ON l.register_id = k.register_id AND l.seq = k.seq AND l.line_nr = k.line_nr
    GROUP BY k.shop_id, k.code
    ON CONFLICT (shop_id, code) DO UPDATE SET
        name = excluded.name, level_milli = v.level_milli + excluded.level_milli;

    INSERT INTO report_rollup (register_id, last_seq)
    SELECT register_id, to_seq FROM rollup_todo
    ON CONFLICT (register_id) DO UPDATE SET last_seq = excluded.last_seq;
    RETURN moved;
END;
$$;
