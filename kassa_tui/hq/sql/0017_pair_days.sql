-- `kassa hq report pairs` from day totals (issue 16: the pair analysis <= 5 s, at HQ too). The
-- report read every basket of the period (sale, sale_line: two million lines for a chain's
-- quarter) and counted the pairs in numpy. Now hq_pair_rollup() keeps, per shop and business
-- day, only what the till's pair formula needs (kassa_tui.insight.pairs: count n, baskets,
-- baskets holding A, baskets holding B):
--
-- - basket_day: the baskets (completed sales, kind 'sale', not training, with at least one
--   line of goods: pant and gift card lines and returned quantities left out);
-- - basket_code_day: per code, the baskets holding it (each code once a basket) and its name
--   that day (the largest, as the report's max(ARRAY[day, name]) takes the latest day's);
-- - pair_day: per unordered pair of codes (a < b by pair_code.id), the baskets holding both.
--
-- Codes are numbered once in pair_code (integers are summed and joined, not text). As
-- hq_rollup() (0006) does, each register is rolled up from the seq it had reached to the seq
-- the register row says now (ingest commits a register's rows with its last_seq), so a sale
-- pushed late for a day already rolled up is added to that day. A basket arrives whole (its
-- lines with it), so adding a new basket's pairs to a day's counts is exact. Ingest is not
-- touched: the report calls hq_pair_rollup() first (kassa_tui.hq.pairs.pair_rollup); one
-- rollup at a time (an advisory lock). This file rolls up what HQ already holds.

CREATE TABLE pair_code (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE
);

CREATE TABLE pair_rollup (
    register_id text PRIMARY KEY REFERENCES register (register_id),
    last_seq bigint NOT NULL
);

CREATE TABLE basket_day (
    local_date text NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    baskets bigint NOT NULL,
    PRIMARY KEY (local_date, shop_id)
);

CREATE TABLE basket_code_day (
    local_date text NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    code_id integer NOT NULL REFERENCES pair_code (id),
    name text NOT NULL,
    baskets bigint NOT NULL,
    PRIMARY KEY (local_date, shop_id, code_id)
);

CREATE TABLE pair_day (
    local_date text NOT NULL,
    shop_id text NOT NULL REFERENCES shop (shop_id),
    a integer NOT NULL REFERENCES pair_code (id),
    b integer NOT NULL REFERENCES pair_code (id),
    n bigint NOT NULL,
    PRIMARY KEY (local_date, shop_id, a, b),
    CHECK (a < b)
);

CREATE FUNCTION hq_pair_rollup() RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    moved bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(7021821096717);  -- one pair rollup at a time
    CREATE TEMP TABLE IF NOT EXISTS pair_todo (
        register_id text PRIMARY KEY, from_seq bigint NOT NULL, to_seq bigint NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM pair_todo;
    INSERT INTO pair_todo
    SELECT r.register_id, COALESCE(u.last_seq, 0), r.last_seq
    FROM register r LEFT JOIN pair_rollup u USING (register_id)
    WHERE r.last_seq > COALESCE(u.last_seq, 0);
    SELECT count(*) INTO moved FROM pair_todo;
    IF moved = 0 THEN
        RETURN 0;
    END IF;

    -- the new baskets' goods, each code once a basket
    CREATE TEMP TABLE IF NOT EXISTS pair_line (
        register_id text NOT NULL, seq bigint NOT NULL, local_date text NOT NULL,
        shop_id text NOT NULL, code text NOT NULL, name text NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM pair_line;
    INSERT INTO pair_line
    SELECT s.register_id, s.seq, s.local_date, s.shop_id, l.code, max(l.name)
    FROM pair_todo t JOIN sale s
      ON s.register_id = t.register_id AND s.seq > t.from_seq AND s.seq <= t.to_seq
    JOIN sale_line l ON l.register_id = s.register_id AND l.seq = s.seq
    WHERE s.kind = 'sale' AND NOT s.training
      AND l.qty_milli > 0 AND l.group_code NOT IN ('PANT', 'GAVEKORT')
    GROUP BY s.register_id, s.seq, s.local_date, s.shop_id, l.code;

    INSERT INTO pair_code (code)
    SELECT DISTINCT code FROM pair_line ORDER BY code
    ON CONFLICT (code) DO NOTHING;

    CREATE TEMP TABLE IF NOT EXISTS pair_item (
        register_id text NOT NULL, seq bigint NOT NULL, local_date text NOT NULL,
        shop_id text NOT NULL, code_id integer NOT NULL, name text NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM pair_item;
    INSERT INTO pair_item
    SELECT p.register_id, p.seq, p.local_date, p.shop_id, c.id, p.name
    FROM pair_line p JOIN pair_code c ON c.code = p.code;
    ANALYZE pair_item;

    INSERT INTO basket_day AS d
    SELECT local_date, shop_id, count(DISTINCT (register_id, seq))
    FROM pair_item
    GROUP BY local_date, shop_id
    ON CONFLICT (local_date, shop_id) DO UPDATE SET baskets = d.baskets + excluded.baskets;

    INSERT INTO basket_code_day AS d
    SELECT local_date, shop_id, code_id, max(name), count(*)
    FROM pair_item
    GROUP BY local_date, shop_id, code_id
    ON CONFLICT (local_date, shop_id, code_id) DO UPDATE SET
        name = GREATEST(d.name, excluded.name), baskets = d.baskets + excluded.baskets;

    INSERT INTO pair_day AS d
    SELECT x.local_date, x.shop_id, x.code_id, y.code_id, count(*)
    FROM pair_item x JOIN pair_item y
      ON y.register_id = x.register_id AND y.seq = x.seq AND y.code_id > x.code_id
    GROUP BY x.local_date, x.shop_id, x.code_id, y.code_id
    ON CONFLICT (local_date, shop_id, a, b) DO UPDATE SET n = d.n + excluded.n;

    INSERT INTO pair_rollup (register_id, last_seq)
    SELECT register_id, to_seq FROM pair_todo
    ON CONFLICT (register_id) DO UPDATE SET last_seq = excluded.last_seq;
    RETURN moved;
END;
$$;
REVOKE ALL ON FUNCTION hq_pair_rollup() FROM PUBLIC;

SELECT hq_pair_rollup();
