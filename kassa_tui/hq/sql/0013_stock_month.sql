-- The stock report over many shops (issue 15: HQ reports p95 <= 1 s). A month's stock of every
-- shop summed the days of stock_day (0006) from --from to today: per shop and code, one row a
-- day it moved (~750,000 rows a month on bench_hq_report.py's 20 shops). stock_month keeps the
-- same sales and returns deltas per shop, code and month (YYYY-MM), rolled up by hq_rollup() in
-- the same transaction as stock_day (the function is 0008's with that one statement added), so
-- the report reads whole months here and only the days of a month it covers in part from
-- stock_day (kassa_tui/hq/report.py). Filled once from stock_day for what was rolled up before.

CREATE TABLE stock_month (
    month text NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    code text NOT NULL,
    delta_milli bigint NOT NULL,
    PRIMARY KEY (month, shop_id, code)
);

INSERT INTO stock_month (month, shop_id, code, delta_milli)
SELECT left(local_date, 7), shop_id, code, sum(delta_milli)
FROM stock_day
GROUP BY left(local_date, 7), shop_id, code;

CREATE OR REPLACE FUNCTION hq_rollup() RETURNS bigint
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
           sum(s.total_ore - g.amount_ore), sum(s.vat_ore - g.vat_ore)
    FROM rollup_todo t JOIN sale s
      ON s.register_id = t.register_id AND s.seq > t.from_seq AND s.seq <= t.to_seq
    CROSS JOIN LATERAL hq_gift_cards(s.register_id, s.seq) AS g
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

    -- the same deltas by month (0013): a stock report reads whole months here, not their days
    INSERT INTO stock_month AS d (month, shop_id, code, delta_milli)
    SELECT left(s.local_date, 7), k.shop_id, k.code, sum(k.delta_milli)
    FROM rollup_todo t JOIN stock_delta k
      ON k.register_id = t.register_id AND k.seq > t.from_seq AND k.seq <= t.to_seq
    JOIN sale s ON s.register_id = k.register_id AND s.seq = k.seq
    GROUP BY k.shop_id, k.code, left(s.local_date, 7)
    ON CONFLICT (month, shop_id, code) DO UPDATE SET
        delta_milli = d.delta_milli + excluded.delta_milli;

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
