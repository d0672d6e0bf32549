-- The stock report reads one month's levels (issue 15: HQ reports p95 <= 1 s, also on a busy
-- machine). Since 0013 a month's stock report of every shop read two months of stock_month (the
-- month asked and every later one, for the level at --to) and grouped ~196,000 rows by shop and
-- code (sorting, spilling to disk). Here HQ keeps, per shop, code and month, the level from
-- sales and returns at the month's end (the sum of every delta up to it) beside the month's own
-- delta, densely: a row for every month from the pair's first delta to the last month held (the
-- horizon), moved or not, so the level at the end of any month is one indexed read of that
-- month's rows. stock_last keeps the last day a pair moved (a pair that moved after the period
-- is shown as before, see report.py).
--
-- Kept up to date by statement triggers on stock_day (0006: the rollup upserts it from each
-- register's last rolled-up seq), so hq_rollup() itself is not replaced: a delta for month m
-- adds to that month's delta and to the level of month m and of every later month (a late row
-- moves every later month's level); a new last month carries every pair's level forward.
-- Filled once from stock_day for what was rolled up before.

CREATE TABLE stock_month_level (
    month text NOT NULL,                     -- YYYY-MM
    shop_id text NOT NULL REFERENCES shop (shop_id),
    code text NOT NULL,
    delta_milli bigint NOT NULL,             -- sales and returns in the month
    level_milli bigint NOT NULL,             -- at the month's end: every delta up to it
    PRIMARY KEY (month, shop_id, code)
);
CREATE INDEX stock_month_level_pair ON stock_month_level (shop_id, code, month);

CREATE TABLE stock_last (
    shop_id text NOT NULL REFERENCES shop (shop_id),
    code text NOT NULL,
    last_date text NOT NULL,                 -- the last business day it moved (sales, returns)
    PRIMARY KEY (shop_id, code)
);

-- Adds the month deltas in the temp table stock_month_new (month, shop_id, code, delta_milli).
CREATE FUNCTION hq_stock_month_add() RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
    old_horizon text;
    new_horizon text;
BEGIN
    SELECT max(month) INTO old_horizon FROM stock_month_level;
    SELECT max(month) INTO new_horizon FROM stock_month_new;
    IF new_horizon IS NULL THEN
        RETURN;
    END IF;
    new_horizon := greatest(old_horizon, new_horizon);
    -- a new last month: every pair's level carried forward, nothing moved yet
    IF old_horizon IS NOT NULL AND new_horizon > old_horizon THEN
        INSERT INTO stock_month_level (month, shop_id, code, delta_milli, level_milli)
        SELECT to_char(g, 'YYYY-MM'), l.shop_id, l.code, 0, l.level_milli
        FROM stock_month_level l
        CROSS JOIN generate_series(to_date(old_horizon, 'YYYY-MM') + interval '1 month',
                                   to_date(new_horizon, 'YYYY-MM'), interval '1 month') g
        WHERE l.month = old_horizon;
    END IF;
    -- a pair's months from its earliest new one to the horizon (new pairs, late rows before
    -- a pair's first month): level 0 until the deltas below are added
    INSERT INTO stock_month_level (month, shop_id, code, delta_milli, level_milli)
    SELECT to_char(g, 'YYYY-MM'), p.shop_id, p.code, 0, 0
    FROM (SELECT shop_id, code, min(month) AS first FROM stock_month_new GROUP BY shop_id, code) p
    CROSS JOIN LATERAL generate_series(to_date(p.first, 'YYYY-MM'),
                                       to_date(new_horizon, 'YYYY-MM'), interval '1 month') g
    ON CONFLICT (month, shop_id, code) DO NOTHING;
    -- each delta into its month, and into the level of its month and every later one
    UPDATE stock_month_level t
    SET delta_milli = t.delta_milli + x.delta_milli, level_milli = t.level_milli + x.level_milli
    FROM (
        SELECT l.month, l.shop_id, l.code,
               COALESCE(sum(n.delta_milli) FILTER (WHERE n.month = l.month), 0) AS delta_milli,
               sum(n.delta_milli) AS level_milli
        FROM stock_month_new n
        JOIN stock_month_level l
          ON l.shop_id = n.shop_id AND l.code = n.code AND l.month >= n.month
        GROUP BY l.month, l.shop_id, l.code
    ) x
    WHERE t.month = x.month AND t.shop_id = x.shop_id AND t.code = x.code;
END;
$$;

CREATE FUNCTION hq_stock_day_inserted() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS stock_month_new (
        month text NOT NULL, shop_id text NOT NULL, code text NOT NULL, delta_milli bigint NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM stock_month_new;
    INSERT INTO stock_month_new
    SELECT left(local_date, 7), shop_id, code, sum(delta_milli)
    FROM inserted GROUP BY left(local_date, 7), shop_id, code;
    PERFORM hq_stock_month_add();
    INSERT INTO stock_last AS s (shop_id, code, last_date)
    SELECT shop_id, code, max(local_date) FROM inserted GROUP BY shop_id, code
    ON CONFLICT (shop_id, code) DO UPDATE SET last_date = greatest(s.last_date, excluded.last_date);
    RETURN NULL;
END;
$$;

CREATE FUNCTION hq_stock_day_updated() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS stock_month_new (
        month text NOT NULL, shop_id text NOT NULL, code text NOT NULL, delta_milli bigint NOT NULL
    ) ON COMMIT DROP;
    DELETE FROM stock_month_new;
    INSERT INTO stock_month_new
    SELECT left(a.local_date, 7), a.shop_id, a.code, sum(a.delta_milli - b.delta_milli)
    FROM after_rows a JOIN before_rows b USING (shop_id, code, local_date)
    GROUP BY left(a.local_date, 7), a.shop_id, a.code;
    PERFORM hq_stock_month_add();
    RETURN NULL;
END;
$$;

CREATE TRIGGER stock_day_month_inserted AFTER INSERT ON stock_day
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION hq_stock_day_inserted();
CREATE TRIGGER stock_day_month_updated AFTER UPDATE ON stock_day
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION hq_stock_day_updated();
REVOKE ALL ON FUNCTION hq_stock_month_add() FROM PUBLIC;
REVOKE ALL ON FUNCTION hq_stock_day_inserted() FROM PUBLIC;
REVOKE ALL ON FUNCTION hq_stock_day_updated() FROM PUBLIC;

-- what was rolled up before: every pair's months from its first to the last month held
INSERT INTO stock_month_level (month, shop_id, code, delta_milli, level_milli)
SELECT g.month, g.shop_id, g.code, COALESCE(m.delta_milli, 0),
       sum(COALESCE(m.delta_milli, 0)) OVER (PARTITION BY g.shop_id, g.code ORDER BY g.month)
FROM (
    SELECT p.shop_id, p.code, to_char(s, 'YYYY-MM') AS month
    FROM (SELECT shop_id, code, min(left(local_date, 7)) AS first FROM stock_day
          GROUP BY shop_id, code) p
    CROSS JOIN (SELECT max(left(local_date, 7)) AS last FROM stock_day) h
    CROSS JOIN LATERAL generate_series(to_date(p.first, 'YYYY-MM'), to_date(h.last, 'YYYY-MM'),
                                       interval '1 month') s
) g
LEFT JOIN (
    SELECT left(local_date, 7) AS month, shop_id, code, sum(delta_milli) AS delta_milli
    FROM stock_day GROUP BY left(local_date, 7), shop_id, code
) m ON m.month = g.month AND m.shop_id = g.shop_id AND m.code = g.code;

INSERT INTO stock_last (shop_id, code, last_date)
SELECT shop_id, code, max(local_date) FROM stock_day GROUP BY shop_id, code;
