-- HQ's sales figures as the Z counts them (issue 15): a gift card sold is not a sale. The Z's
-- cash sales leave out the lines of group GAVEKORT (a gift card sold with or without other
-- goods: money taken for a card, not goods sold); sales_day's total and VAT did not. Now
-- hq_rollup() subtracts those lines from each transaction's total and VAT, and the day totals
-- rolled up before this file are made again from what HQ holds (sale, sale_line: they are
-- unchanged, and still carry the gift cards as the tills' receipts do). product_day still
-- lists the gift card lines (what went over the counter); stock never moved for them.

-- What a transaction's gift card lines come to (0 when it has none).
CREATE FUNCTION hq_gift_cards(p_register text, p_seq bigint,
                              OUT amount_ore bigint, OUT vat_ore bigint)
LANGUAGE sql STABLE SET search_path = pg_catalog, public AS $$
    SELECT COALESCE(sum(l.amount_ore), 0)::bigint, COALESCE(sum(l.vat_ore), 0)::bigint
    FROM sale_line l
    WHERE l.register_id = p_register AND l.seq = p_seq AND l.group_code = 'GAVEKORT'
$$;
REVOKE ALL ON FUNCTION hq_gift_cards(text, bigint) FROM PUBLIC;

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

-- The day totals rolled up so far, made again the new way (the rollup goes on from where it
-- stood: report_rollup is unchanged).
DELETE FROM sales_day;
INSERT INTO sales_day
SELECT s.local_date, s.shop_id,
       count(*) FILTER (WHERE s.kind = 'sale'), count(*) FILTER (WHERE s.kind = 'return'),
       sum(s.total_ore - g.amount_ore), sum(s.vat_ore - g.vat_ore)
FROM report_rollup u JOIN sale s ON s.register_id = u.register_id AND s.seq <= u.last_seq
CROSS JOIN LATERAL hq_gift_cards(s.register_id, s.seq) AS g
WHERE NOT s.training
GROUP BY s.local_date, s.shop_id;
